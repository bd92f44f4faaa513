import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  bastionMfaResetPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  audited as auditedEvent,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import type { JsonObject } from '@backstage/types';
import express, { type Request, type Response } from 'express';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { patternProblem } from '../commands/rules';
import type { BastionStore, SessionRecord } from '../database/BastionStore';
import { grantsHeldBy, storedGrantsFor } from '../grants/matchGrant';
import { MfaService, TooManyAttemptsError } from '../mfa/MfaService';
import type { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import type { HostFactsSource } from '@opsdeck/plugin-cmdb-node';
import { listMyAssets } from '../grants/myAssets';
import type { HostDirectory } from '../session/hosts';
import type { SessionManager } from '../session/SessionManager';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { addFileRoutes } from './fileRoutes';
import { addReviewRoutes } from './reviewRoutes';

/** The router as the generated OpenAPI types give it. */
export type BastionRouter = Awaited<ReturnType<typeof createOpenApiRouter>>;

export type AnyRequest = Request<any, any, any, any, any>;

export type AuditEventSpec = {
  eventId: string;
  severityLevel: 'low' | 'medium' | 'high' | 'critical';
  /** What the event is about; the caller themself when absent (their own TOTP). */
  target?: string;
  meta?: JsonObject;
};

/**
 * Runs the action; a TOTP rate limit answers 429 (the default error handler knows no such
 * status), other errors go on to it.
 */
async function answeringTooManyAttempts(
  res: Response,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof TooManyAttemptsError) {
      res
        .status(429)
        .json({ error: { name: error.name, message: error.message } });
      return;
    }
    throw error;
  }
}

/** Audit target of a grant: its host entity, else what its selector names. */
function grantTarget(s: {
  host?: string;
  system?: string;
  owner?: string;
  tag?: string;
}): string {
  if (s.host) return `resource:default/${s.host}`;
  if (s.system) return `system:default/${s.system}`;
  if (s.owner)
    return s.owner.includes(':') ? s.owner : `group:default/${s.owner}`;
  return `tag:${s.tag ?? ''}`;
}

/** The bastion's HTTP API (terminals run over the WebSocket routes, see websocket.ts). */
export async function createRouter(options: {
  store: BastionStore;
  sessions: SessionManager;
  hosts: HostDirectory;
  mfa: MfaService;
  /** Collected host facts for "my assets" (the CMDB, read as the caller). */
  facts?: HostFactsSource;
  recordingsDir: string;
  ssh: Pick<SshConnectionPool, 'uploadStream' | 'downloadStream' | 'openSftp'>;
  /** Largest file upload (bytes; default 100 MiB). */
  maxUploadBytes?: number;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
}) {
  const { store, sessions, hosts, mfa, auditor } = options;
  const guard = createRequestGuard(options);
  const allowed = guard.allowed;
  // permissions per operation (schema/access.ts), checked before the body is read
  const router = await createOpenApiRouter({
    guard,
    // uploads arrive as application/octet-stream; the validator needs the body read first
    middleware: [
      express.json(),
      express.raw({
        type: 'application/octet-stream',
        limit: options.maxUploadBytes ?? 100 * 1024 * 1024,
      }),
    ],
  });

  const actorOf = principalRef;

  /**
   * Runs a mutation inside an audit event: success (with the meta `successMeta` gives for the
   * result) when it resolves, fail and rethrow when it throws. Resolves to the action's result.
   */
  async function audited<T>(
    req: AnyRequest,
    spec: AuditEventSpec,
    action: () => Promise<T>,
    successMeta?: (result: T) => JsonObject,
  ): Promise<T> {
    const target =
      spec.target ?? principalRef(await guard.credentials(req, ['user']));
    return auditedEvent(
      auditor,
      { ...spec, target, request: req, successMeta },
      action,
    );
  }

  /** The actor of a caller who may use the bastion (open sessions, manage their own TOTP). */
  async function bastionUser(req: AnyRequest): Promise<string> {
    return actorOf(await guard.credentials(req, ['user']));
  }

  /**
   * The user whose records a listing shows: the requested one (or everyone) for callers with
   * session.read, otherwise the caller.
   */
  async function listedUser(
    req: AnyRequest,
    requested: string | undefined,
  ): Promise<string | undefined> {
    const credentials = await guard.credentials(req, ['user']);
    return (await allowed(credentials, bastionSessionReadPermission))
      ? requested
      : actorOf(credentials);
  }

  /** A session the caller may see: their own, or any with session.read. */
  async function visibleSession(
    req: AnyRequest,
    id: string,
  ): Promise<SessionRecord> {
    const credentials = await guard.credentials(req, ['user']);
    const session = await store.getSession(id);
    if (!session) throw new NotFoundError(`No session ${id}`);
    if (
      session.userRef !== actorOf(credentials) &&
      !(await allowed(credentials, bastionSessionReadPermission))
    ) {
      throw new NotAllowedError('You are not allowed to see this session');
    }
    return session;
  }

  const withLive = (s: SessionRecord) => ({
    ...s,
    live: sessions.openSomewhere(s),
  });

  // ------------------------------------------------------------ grants

  router.get('/grants', async (_req, res) => {
    res.json({ items: await store.listGrants() });
  });

  router.post('/grants', async (req, res) => {
    const body = req.body;
    const grant = await audited(
      req,
      {
        eventId: 'grant-create',
        severityLevel: 'high',
        target: grantTarget(body.selector),
        meta: {
          subject: body.subject,
          selector: body.selector,
          loginUser: body.loginUser,
          expiresAt: body.expiresAt,
        },
      },
      async () => {
        const credentials = await guard.credentials(req, ['user', 'service']);
        const s = body.selector;
        if (!s.host && !s.system && !s.owner && !s.tag) {
          throw new InputError(
            'The selector must name a host, system, owner or tag',
          );
        }
        if (new Date(body.expiresAt).getTime() <= Date.now()) {
          throw new InputError('expiresAt must be in the future');
        }
        return store.createGrant({
          subject: body.subject,
          selector: s,
          loginUser: body.loginUser,
          expiresAt: new Date(body.expiresAt).toISOString(),
          reason: body.reason,
          idempotencyKey: body.idempotencyKey,
          createdBy: actorOf(credentials),
        });
      },
      // a replayed key created nothing: the event says so
      g => ({ grantId: g.id, ...(g.created ? {} : { replayed: true }) }),
    );
    const { created, ...stored } = grant;
    res.status(created ? 201 : 200).json(stored);
  });

  router.delete('/grants/:id', async (req, res) => {
    await audited(
      req,
      {
        eventId: 'grant-revoke',
        severityLevel: 'high',
        target: `bastion-grant:${req.params.id}`,
        meta: { grantId: req.params.id },
      },
      async () => {
        const credentials = await guard.credentials(req, ['user', 'service']);
        if (!(await store.revokeGrant(req.params.id, actorOf(credentials)))) {
          throw new NotFoundError(`No active grant ${req.params.id}`);
        }
        // sessions that used the grant end now, not at the next periodic check
        await sessions.checkGrants();
      },
    );
    res.status(204).end();
  });

  // the caller's own grants in force (the workbench's "my access")
  router.get('/my-grants', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const info = await options.userInfo.getUserInfo(credentials);
    const now = Date.now();
    const grants = await store.listGrants({ activeAt: now });
    res.json({ items: grantsHeldBy(grants, info.ownershipEntityRefs, now) });
  });

  // the hosts the caller's own grants in force reach now ("my assets"), with their facts
  router.get('/my-assets', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const info = await options.userInfo.getUserInfo(credentials);
    const now = Date.now();
    const grants = grantsHeldBy(
      await store.listGrants({ activeAt: now }),
      info.ownershipEntityRefs,
      now,
    );
    const facts = options.facts;
    res.json(
      await listMyAssets({
        grants,
        hosts,
        mfaRequiredFor: host => mfa.requiredFor(host),
        factsOf: facts && (list => facts.factsOf(list, { credentials })),
      }),
    );
  });

  router.get('/hosts/:name/access', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const host = await hosts.getHost(req.params.name);
    if (!host) throw new NotFoundError(`No host named '${req.params.name}'`);
    const info = await options.userInfo.getUserInfo(credentials);
    const grants = await storedGrantsFor(
      store,
      info.ownershipEntityRefs,
      host,
      Date.now(),
    );
    res.json({
      host: host.name,
      environment: host.environment,
      mfaRequired: mfa.requiredFor(host),
      mfaVerified: await mfa.steppedUp(info.userEntityRef),
      grants,
    });
  });

  // ------------------------------------------------------------ rules

  router.get('/rules', async (_req, res) => {
    res.json({ items: await store.listRules() });
  });

  router.post('/rules', async (req, res) => {
    const body = req.body;
    const rule = await audited(
      req,
      {
        eventId: 'rule-create',
        severityLevel: 'high',
        target: `bastion-rule:${body.name}`,
        meta: {
          name: body.name,
          pattern: body.pattern,
          kind: body.kind ?? 'command',
          action: body.action,
        },
      },
      async () => {
        const credentials = await guard.credentials(req, ['user']);
        const problem = patternProblem(body.pattern);
        if (problem) throw new InputError(`Invalid pattern: ${problem}`);
        return store.createRule({
          name: body.name,
          pattern: body.pattern,
          kind: body.kind ?? 'command',
          action: body.action,
          scope: body.scope ?? {},
          priority: body.priority ?? 100,
          createdBy: actorOf(credentials),
        });
      },
      // the rule's id, as rule-delete names it
      created => ({
        ruleId: created.id,
        target: `bastion-rule:${created.id}`,
      }),
    );
    res.status(201).json(rule);
  });

  router.delete('/rules/:id', async (req, res) => {
    await audited(
      req,
      {
        eventId: 'rule-delete',
        severityLevel: 'high',
        target: `bastion-rule:${req.params.id}`,
        meta: { ruleId: req.params.id },
      },
      async () => {
        if (!(await store.deleteRule(req.params.id))) {
          throw new NotFoundError(`No rule ${req.params.id}`);
        }
      },
    );
    res.status(204).end();
  });

  // ------------------------------------------------------------ sessions

  router.get('/sessions', async (req, res) => {
    const q = req.query;
    const items = await store.listSessions({
      user: await listedUser(req, q.user),
      host: q.host,
      open: q.open === undefined ? undefined : q.open === 'true',
      limit: q.limit,
    });
    res.json({ items: items.map(withLive) });
  });

  router.get('/sessions/live', async (_req, res) => {
    res.json({
      items: (await sessions.listAll()).map(s => ({ ...s, live: true })),
    });
  });

  router.get('/sessions/:id', async (req, res) => {
    res.json(withLive(await visibleSession(req, req.params.id)));
  });

  router.get('/sessions/:id/recording', async (req, res) => {
    const session = await visibleSession(req, req.params.id);
    const file = join(options.recordingsDir, session.recording);
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new NotFoundError('The recording file is missing');
    res.status(200);
    res.setHeader('Content-Type', 'application/x-asciicast; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${session.id}.cast"`,
    );
    createReadStream(file).pipe(res);
  });

  router.post('/sessions/:id/terminate', async (req, res) => {
    const result = await audited(
      req,
      {
        eventId: 'session-terminate',
        severityLevel: 'high',
        target: `bastion-session:${req.params.id}`,
        meta: { sessionId: req.params.id },
      },
      async () => {
        const credentials = await guard.credentials(req, ['user']);
        const done = await sessions.terminateAnywhere(
          req.params.id,
          `Terminated by ${actorOf(credentials)}`,
        );
        if (!done) {
          throw new NotFoundError(`Session ${req.params.id} is not live`);
        }
        return done;
      },
      done => ({ ...done }),
    );
    if (result.done === 'local') {
      res.status(204).end();
    } else {
      // another instance holds it and ends it at its next poll (about a second)
      res.status(202).json(result);
    }
  });

  const helpers = {
    credentials: (req: AnyRequest) => guard.credentials(req, ['user']),
    audited,
    actorOf,
    visibleSession,
  };
  addFileRoutes(router, { ...helpers, sessions, ssh: options.ssh });
  addReviewRoutes(router, { ...helpers, store, sessions });

  router.get('/commands', async (req, res) => {
    const q = req.query;
    res.json({
      items: await store.searchCommands({
        q: q.q,
        user: await listedUser(req, q.user),
        host: q.host,
        sessionId: q.sessionId,
        limit: q.limit,
      }),
    });
  });

  // ------------------------------------------------------------ MFA

  router.get('/mfa', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    res.json({
      ...(await mfa.status(actorOf(credentials))),
      canResetOthers: await allowed(credentials, bastionMfaResetPermission),
    });
  });

  /** The password and where the request came from: TOTP (re-)enrolment asks for both. */
  const proofOf = (req: AnyRequest) => ({
    password: String(req.body.password),
    request: {
      address: req.ip,
      userAgent: req.get('user-agent') ?? undefined,
    },
  });

  router.post('/mfa/enrol', async (req, res) => {
    const result = await audited(
      req,
      { eventId: 'mfa-enrol', severityLevel: 'medium' },
      async () => mfa.enrol(await bastionUser(req), proofOf(req)),
    );
    res.json(result);
  });

  router.post('/mfa/verify', async (req, res) => {
    await answeringTooManyAttempts(res, async () => {
      const result = await audited(
        req,
        { eventId: 'mfa-verify', severityLevel: 'medium' },
        async () => mfa.verify(await bastionUser(req), req.body.code),
      );
      res.json(result);
    });
  });

  router.post('/mfa/reset', async (req, res) => {
    await answeringTooManyAttempts(res, async () => {
      let userRef = '';
      const result = await audited(
        req,
        { eventId: 'mfa-reset', severityLevel: 'high' },
        async () => {
          userRef = await bastionUser(req);
          return mfa.reset(userRef, req.body.code, proofOf(req));
        },
        () => ({ userRef }),
      );
      res.json(result);
    });
  });

  router.post('/mfa/admin-reset', async (req, res) => {
    const userRef = req.body.userRef;
    await audited(
      req,
      {
        eventId: 'mfa-admin-reset',
        severityLevel: 'high',
        target: userRef,
        meta: { userRef },
      },
      async () => {
        if (!(await mfa.adminReset(userRef))) {
          throw new NotFoundError(`${userRef} has no TOTP enrolment`);
        }
      },
    );
    res.status(204).end();
  });

  return router;
}
