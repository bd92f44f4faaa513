import {
  AuditorService,
  BackstageServicePrincipal,
} from '@backstage/backend-plugin-api';
import type { RequestGuard } from '@opsdeck/plugin-opsdeck-node';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import type { Request } from 'express';
import { isSessionToken } from '../lib/sessionCookie';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { AccountService } from './AccountService';
import { audited, userRef } from './requestInfo';
import { SessionService } from './SessionService';

type Router = Awaited<ReturnType<typeof createOpenApiRouter>>;

/**
 * Service-only routes behind @opsdeck/plugin-local-auth-node's LocalAuthService: other backend
 * plugins (never a browser, never an external token) re-check a password; the auth plugin's
 * `opsdeck` provider checks sessions at every token refresh.
 */
export function addInternalRoutes(
  router: Router,
  deps: {
    accounts: AccountService;
    sessions: SessionService;
    guard: RequestGuard;
    auditor: AuditorService;
  },
) {
  const { accounts, sessions, guard, auditor } = deps;

  /** The calling backend plugin's id; only `plugins` (or any plugin) may call. */
  async function callingPlugin(req: Request, plugins?: string[]) {
    const credentials = await guard.credentials(req, ['service']);
    const subject = (credentials.principal as BackstageServicePrincipal)
      .subject;
    const plugin = subject.startsWith('plugin:') ? subject.slice(7) : undefined;
    if (!plugin || (plugins && !plugins.includes(plugin))) {
      throw new NotAllowedError(`${subject} may not call this route`);
    }
    return plugin;
  }

  router.post('/internal/verify-password', async (req, res) => {
    const plugin = await callingPlugin(req);
    const ref = parseEntityRef(req.body.userEntityRef);
    const name = ref.kind.toLowerCase() === 'user' ? ref.name : '';
    const result = await audited(
      auditor,
      req,
      {
        eventId: 'account-password-verify',
        severityLevel: 'medium',
        meta: {
          actor: req.body.userEntityRef,
          target: req.body.userEntityRef,
          via: `plugin:${plugin}`,
        },
      },
      async () => {
        const check = await accounts.checkPassword(name, req.body.password, {
          address: req.body.address,
          userAgent: req.body.userAgent,
        });
        if (!check.ok) throw new NotAllowedError('Wrong password');
        return check;
      },
    ).catch(error => {
      if (error instanceof NotAllowedError) return undefined;
      throw error;
    });
    res.json({ ok: !!result });
  });

  router.post('/internal/sessions/lookup', async (req, res) => {
    await callingPlugin(req, ['auth']);
    const token = req.body.token;
    const session = isSessionToken(token)
      ? await sessions.lookup(token, {
          address: req.body.address,
          userAgent: req.body.userAgent,
        })
      : undefined;
    res.json(
      session ? { session: { id: session.id, account: session.account } } : {},
    );
  });

  router.post('/internal/sessions/confirm', async (req, res) => {
    await callingPlugin(req, ['auth']);
    const { sessionId, ownershipEntityRefs } = req.body;
    const result = await sessions.confirm(sessionId, ownershipEntityRefs);
    if (result.status === 'role-change') {
      // The person's groups changed (in the catalog): their session ends at this refresh.
      const event = await auditor.createEvent({
        eventId: 'account-session-end',
        severityLevel: 'medium',
        request: req,
        meta: {
          actor: userRef(result.account),
          target: userRef(result.account),
          via: 'plugin:auth',
          sessionId,
          reason: 'role-change',
        },
      });
      await event.success();
    }
    res.json({ ok: result.status === 'ok' });
  });
}
