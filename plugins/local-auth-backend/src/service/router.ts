import {
  AuditorService,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { AuthenticationError } from '@backstage/errors';
import { localAccountManagePermission } from '@opsdeck/plugin-opsdeck-common';
import { createRequestGuard, principalRef } from '@opsdeck/plugin-opsdeck-node';
import express, { CookieOptions } from 'express';
import { LocalAuthConfig } from '../lib/config';
import { readSessionToken, SESSION_COOKIE_NAME } from '../lib/sessionCookie';
import { createOpenApiRouter } from '../schema/openapi.generated';
import {
  AccountService,
  INVALID_CREDENTIALS_MESSAGE,
  THROTTLED_MESSAGE,
} from './AccountService';
import { addInternalRoutes } from './internalRoutes';
import { audited, requestInfo, sessionIdOfToken, userRef } from './requestInfo';
import { SessionService } from './SessionService';

/** What the router needs; plugin.ts supplies the core services. */
export interface RouterOptions {
  accounts: AccountService;
  sessions: SessionService;
  config: Pick<LocalAuthConfig, 'sessionDurationMs' | 'secureCookie'>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** HTTP API of the local-auth plugin (validated against openapi.yaml). */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { accounts, sessions, config, auditor } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const router = createOpenApiRouter({ guard });
  // the seed accounts are created beside start-up: no request reads accounts before that ends
  router.use(async (_req, _res, next) => {
    await accounts.seeded();
    next();
  });

  const cookieOptions: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.secureCookie,
  };

  router.post('/login', async (req, res) => {
    const username = req.body.username.trim();
    const event = await auditor.createEvent({
      eventId: 'account-login',
      severityLevel: 'medium',
      request: req,
      meta: username
        ? { actor: userRef(username), target: userRef(username) }
        : {},
    });
    const info = requestInfo(req);
    const result = await accounts.signIn(username, req.body.password, info);
    if (!result.ok) {
      const throttled = result.reason === 'throttled';
      const error = throttled
        ? { name: 'TooManyRequestsError', message: THROTTLED_MESSAGE }
        : { name: 'AuthenticationError', message: INVALID_CREDENTIALS_MESSAGE };
      await event.fail({
        error: Object.assign(new Error(error.message), { name: error.name }),
        meta: result.sessionsEnded
          ? { sessionsEnded: result.sessionsEnded }
          : undefined,
      });
      const status = throttled ? 429 : 401;
      res.status(status).json({ error, response: { statusCode: status } });
      return;
    }
    const session = await sessions.create(result.account, info);
    res.cookie(SESSION_COOKIE_NAME, session.token, {
      ...cookieOptions,
      maxAge: config.sessionDurationMs,
    });
    await event.success({ meta: { sessionId: session.id } });
    res.status(200).json({ username: result.account });
  });

  router.post('/logout', async (req, res) => {
    const token = readSessionToken(req.headers.cookie);
    const session = token ? await sessions.lookup(token) : undefined;
    const event = await auditor.createEvent({
      eventId: 'account-logout',
      request: req,
      meta: session
        ? {
            actor: userRef(session.account),
            target: userRef(session.account),
            sessionId: session.id,
          }
        : {},
    });
    if (session) {
      await sessions.end(session.id, 'logout', userRef(session.account));
    }
    res.clearCookie(SESSION_COOKIE_NAME, cookieOptions);
    await event.success();
    res.status(204).end();
  });

  // The browser asks this every half minute: is the session my token was minted for still live?
  router.get('/me/session', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const sessionId = sessionIdOfToken(req);
    if (!sessionId) {
      res.json({ active: true, local: false });
      return;
    }
    const { name } = parseEntityRef(
      (credentials.principal as BackstageUserPrincipal).userEntityRef,
    );
    const session = await sessions.live(sessionId, name);
    if (!session) {
      throw new AuthenticationError('Your opsdeck session has ended');
    }
    res.json({
      active: true,
      local: true,
      sessionId: session.id,
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
  });

  router.get('/accounts', async (req, res) => {
    const credentials = await guard.credentials(req);
    const items = await accounts.listAccounts();
    res.json({
      canManage: await guard.allowed(credentials, localAccountManagePermission),
      items: items.map(account => ({
        name: account.name,
        locked: account.locked,
        lockedUntil: account.lockedUntil?.toISOString(),
        lockedAddresses: account.lockedAddresses.map(l => ({
          address: l.address,
          until: l.until.toISOString(),
        })),
        failedAttempts: account.failedAttempts,
        sessions: account.sessions,
        lastLoginAt: account.lastLoginAt?.toISOString(),
        createdAt: account.createdAt.toISOString(),
        updatedAt: account.updatedAt.toISOString(),
      })),
    });
  });

  router.get('/accounts/:name/sessions', async (req, res) => {
    const items = await sessions.list(req.params.name);
    res.json({
      items: items.map(s => ({
        id: s.id,
        createdAt: new Date(s.createdAt).toISOString(),
        lastSeenAt: new Date(s.lastSeenAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
        address: s.address,
        lastAddress: s.lastAddress,
        userAgent: s.userAgent,
      })),
    });
  });

  router.post('/accounts/:name/sign-out-everywhere', async (req, res) => {
    const { name } = req.params;
    const credentials = await guard.credentials(req);
    const actor = principalRef(credentials);
    const ended = await audited(
      auditor,
      req,
      {
        eventId: 'account-sign-out-everywhere',
        severityLevel: 'high',
        meta: { actor, target: userRef(name) },
      },
      () => sessions.endAll(name, 'signed-out-everywhere', actor),
      ids => ({ sessionsEnded: ids.length }),
    );
    res.json({ sessionsEnded: ended.length });
  });

  router.put('/accounts/:name/password', async (req, res) => {
    const { name } = req.params;
    const credentials = await guard.credentials(req);
    const actor = principalRef(credentials);
    const result = await audited(
      auditor,
      req,
      {
        eventId: 'account-password-set',
        severityLevel: 'high',
        meta: { actor, target: userRef(name) },
      },
      () => accounts.setPassword(name, req.body.password, actor),
      r => ({ created: r.created, sessionsEnded: r.sessionsEnded }),
    );
    res.json({ name, ...result });
  });

  router.post('/accounts/:name/unlock', async (req, res) => {
    const { name } = req.params;
    const credentials = await guard.credentials(req);
    await audited(
      auditor,
      req,
      {
        eventId: 'account-unlock',
        severityLevel: 'medium',
        meta: { actor: principalRef(credentials), target: userRef(name) },
      },
      () => accounts.unlock(name),
    );
    res.status(204).end();
  });

  router.post('/me/password', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const ref = (credentials.principal as BackstageUserPrincipal).userEntityRef;
    const { name } = parseEntityRef(ref);
    const result = await audited(
      auditor,
      req,
      {
        eventId: 'account-password-set',
        severityLevel: 'medium',
        meta: { actor: ref, target: ref, queryType: 'self-service' },
      },
      () =>
        accounts.changeOwnPassword(
          name,
          req.body.currentPassword,
          req.body.newPassword,
          { ...requestInfo(req), sessionId: sessionIdOfToken(req) },
        ),
      r => ({ sessionsEnded: r.sessionsEnded }),
    );
    res.json(result);
  });

  addInternalRoutes(router, { accounts, sessions, guard, auditor });

  return router;
}
