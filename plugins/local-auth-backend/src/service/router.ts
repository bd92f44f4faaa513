import {
  AuditorService,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { serializeError } from '@backstage/errors';
import { createRequestGuard, principalRef } from '@opsdeck/plugin-opsdeck-node';
import express, { CookieOptions } from 'express';
import { LocalAuthConfig } from '../lib/config';
import {
  readSessionFromCookieHeader,
  SESSION_COOKIE_NAME,
  signSessionToken,
} from '../lib/sessionToken';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { AccountLockedError, AccountService } from './AccountService';

/** What the router needs; plugin.ts supplies the core services. */
export interface RouterOptions {
  accounts: AccountService;
  config: Pick<
    LocalAuthConfig,
    'sessionSecret' | 'sessionDurationMs' | 'secureCookie'
  >;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

const userRef = (name: string) =>
  stringifyEntityRef({ kind: 'user', namespace: 'default', name });

/** HTTP API of the local-auth plugin (validated against openapi.yaml). */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { accounts, config, auditor } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const router = createOpenApiRouter({ guard });

  const cookieOptions: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.secureCookie,
  };

  router.post('/login', async (req, res) => {
    const username = req.body.username.trim();
    const auditorEvent = await auditor.createEvent({
      eventId: 'account-login',
      severityLevel: 'medium',
      request: req,
      meta: username
        ? { actor: userRef(username), target: userRef(username) }
        : {},
    });
    let name: string;
    try {
      name = await accounts.authenticate(username, req.body.password);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      if (error instanceof AccountLockedError) {
        res.status(423).json({
          error: serializeError(error),
          response: { statusCode: 423 },
          lockedUntil: error.lockedUntil.toISOString(),
        });
        return;
      }
      throw error;
    }
    const token = signSessionToken(
      name,
      Date.now() + config.sessionDurationMs,
      config.sessionSecret,
    );
    res.cookie(SESSION_COOKIE_NAME, token, {
      ...cookieOptions,
      maxAge: config.sessionDurationMs,
    });
    await auditorEvent.success();
    res.status(200).json({ username: name });
  });

  router.post('/logout', async (req, res) => {
    const session = readSessionFromCookieHeader(
      req.headers.cookie,
      config.sessionSecret,
    );
    const auditorEvent = await auditor.createEvent({
      eventId: 'account-logout',
      request: req,
      meta: session
        ? {
            actor: userRef(session.username),
            target: userRef(session.username),
          }
        : {},
    });
    res.clearCookie(SESSION_COOKIE_NAME, cookieOptions);
    await auditorEvent.success();
    res.status(204).end();
  });

  router.get('/accounts', async (_req, res) => {
    const items = await accounts.listAccounts();
    res.json({
      items: items.map(account => ({
        name: account.name,
        locked: account.locked,
        lockedUntil: account.locked
          ? account.lockedUntil?.toISOString()
          : undefined,
        failedAttempts: account.failedAttempts,
        lastLoginAt: account.lastLoginAt?.toISOString(),
        createdAt: account.createdAt.toISOString(),
        updatedAt: account.updatedAt.toISOString(),
      })),
    });
  });

  router.put('/accounts/:name/password', async (req, res) => {
    const { name } = req.params;
    const credentials = await guard.credentials(req);
    const auditorEvent = await auditor.createEvent({
      eventId: 'account-password-set',
      severityLevel: 'high',
      request: req,
      meta: { actor: principalRef(credentials), target: userRef(name) },
    });
    try {
      const created = await accounts.setPassword(name, req.body.password);
      await auditorEvent.success({ meta: { created } });
      res.json({ name, created });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/accounts/:name/unlock', async (req, res) => {
    const { name } = req.params;
    const credentials = await guard.credentials(req);
    const auditorEvent = await auditor.createEvent({
      eventId: 'account-unlock',
      severityLevel: 'medium',
      request: req,
      meta: { actor: principalRef(credentials), target: userRef(name) },
    });
    try {
      await accounts.unlock(name);
      await auditorEvent.success();
      res.status(204).end();
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/me/password', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const ref = (credentials.principal as BackstageUserPrincipal).userEntityRef;
    const { name } = parseEntityRef(ref);
    const auditorEvent = await auditor.createEvent({
      eventId: 'account-password-set',
      severityLevel: 'medium',
      request: req,
      meta: { actor: ref, target: ref, queryType: 'self-service' },
    });
    try {
      await accounts.changeOwnPassword(
        name,
        req.body.currentPassword,
        req.body.newPassword,
      );
      await auditorEvent.success();
      res.status(204).end();
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
