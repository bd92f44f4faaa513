import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  bastionGrantManagePermission,
  bastionGrantReadPermission,
  bastionMfaResetPermission,
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import express, { type Request } from 'express';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { patternProblem } from '../commands/rules';
import type { BastionStore, SessionRecord } from '../database/BastionStore';
import { matchingGrants } from '../grants/matchGrant';
import { MfaService, TooManyAttemptsError } from '../mfa/MfaService';
import type { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import type { HostDirectory } from '../session/hosts';
import type { SessionManager } from '../session/SessionManager';
import { createOpenApiRouter } from '../schema/openapi.generated';

type AnyRequest = Request<any, any, any, any, any>;

/** The bastion's HTTP API (terminals run over the WebSocket routes, see websocket.ts). */
export async function createRouter(options: {
  store: BastionStore;
  sessions: SessionManager;
  hosts: HostDirectory;
  mfa: MfaService;
  recordingsDir: string;
  ssh: Pick<SshConnectionPool, 'uploadStream' | 'downloadStream'>;
  /** Largest file upload (bytes; default 100 MiB). */
  maxUploadBytes?: number;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
}) {
  const { store, sessions, hosts, mfa, httpAuth, permissions, auditor } =
    options;
  const router = await createOpenApiRouter({
    // uploads arrive as application/octet-stream; the validator needs the body read first
    middleware: [
      express.json(),
      express.raw({
        type: 'application/octet-stream',
        limit: options.maxUploadBytes ?? 100 * 1024 * 1024,
      }),
    ],
  });

  async function allowed(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ): Promise<boolean> {
    const [d] = await permissions.authorize([{ permission }], { credentials });
    return d.result === AuthorizeResult.ALLOW;
  }

  /** The caller's credentials after checking the permission (403 otherwise). */
  async function authorize(
    req: AnyRequest,
    permission: BasicPermission,
    what: string,
    allow: Array<'user' | 'service'> = ['user'],
  ) {
    const credentials = await httpAuth.credentials(req, { allow });
    if (!(await allowed(credentials, permission))) {
      throw new NotAllowedError(`You are not allowed to ${what}`);
    }
    return credentials;
  }

  function actorOf(credentials: BackstageCredentials): string {
    const p = credentials.principal as {
      userEntityRef?: string;
      subject?: string;
    };
    return p.userEntityRef ?? p.subject ?? 'unknown';
  }

  /** A session the caller may see: their own, or any with session.read. */
  async function visibleSession(
    req: AnyRequest,
    id: string,
  ): Promise<SessionRecord> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
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

  router.get('/grants', async (req, res) => {
    await authorize(req, bastionGrantReadPermission, 'list access grants', [
      'user',
      'service',
    ]);
    res.json({ items: await store.listGrants() });
  });

  router.post('/grants', async (req, res) => {
    const body = req.body;
    const event = await auditor.createEvent({
      eventId: 'grant-create',
      severityLevel: 'high',
      request: req,
      meta: {
        subject: body.subject,
        selector: body.selector,
        loginUser: body.loginUser,
        expiresAt: body.expiresAt,
      },
    });
    try {
      const credentials = await authorize(
        req,
        bastionGrantManagePermission,
        'create access grants',
        ['user', 'service'],
      );
      const s = body.selector;
      if (!s.host && !s.system && !s.owner && !s.tag) {
        throw new InputError(
          'The selector must name a host, system, owner or tag',
        );
      }
      if (new Date(body.expiresAt).getTime() <= Date.now()) {
        throw new InputError('expiresAt must be in the future');
      }
      const grant = await store.createGrant({
        subject: body.subject,
        selector: s,
        loginUser: body.loginUser,
        expiresAt: new Date(body.expiresAt).toISOString(),
        reason: body.reason,
        createdBy: actorOf(credentials),
      });
      await event.success({ meta: { grantId: grant.id } });
      res.status(201).json(grant);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.delete('/grants/:id', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'grant-revoke',
      severityLevel: 'high',
      request: req,
      meta: { grantId: req.params.id },
    });
    try {
      const credentials = await authorize(
        req,
        bastionGrantManagePermission,
        'revoke access grants',
        ['user', 'service'],
      );
      if (!(await store.revokeGrant(req.params.id, actorOf(credentials)))) {
        throw new NotFoundError(`No active grant ${req.params.id}`);
      }
      // sessions that used the grant end now, not at the next periodic check
      await sessions.checkGrants();
      await event.success();
      res.status(204).end();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/hosts/:name/access', async (req, res) => {
    const credentials = await authorize(
      req,
      bastionSessionOpenPermission,
      'open terminal sessions',
    );
    const host = await hosts.getHost(req.params.name);
    if (!host) throw new NotFoundError(`No host named '${req.params.name}'`);
    const info = await options.userInfo.getUserInfo(credentials);
    const now = Date.now();
    const grants = matchingGrants(
      await store.listGrants({ activeAt: now }),
      { ownershipRefs: info.ownershipEntityRefs },
      host,
      now,
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

  router.get('/rules', async (req, res) => {
    await authorize(req, bastionGrantReadPermission, 'list command rules');
    res.json({ items: await store.listRules() });
  });

  router.post('/rules', async (req, res) => {
    const body = req.body;
    const event = await auditor.createEvent({
      eventId: 'rule-create',
      severityLevel: 'high',
      request: req,
      meta: { name: body.name, pattern: body.pattern, action: body.action },
    });
    try {
      const credentials = await authorize(
        req,
        bastionGrantManagePermission,
        'create command rules',
      );
      const problem = patternProblem(body.pattern);
      if (problem) throw new InputError(`Invalid pattern: ${problem}`);
      const rule = await store.createRule({
        name: body.name,
        pattern: body.pattern,
        action: body.action,
        scope: body.scope ?? {},
        priority: body.priority ?? 100,
        createdBy: actorOf(credentials),
      });
      await event.success({ meta: { ruleId: rule.id } });
      res.status(201).json(rule);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.delete('/rules/:id', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'rule-delete',
      severityLevel: 'high',
      request: req,
      meta: { ruleId: req.params.id },
    });
    try {
      await authorize(
        req,
        bastionGrantManagePermission,
        'delete command rules',
      );
      if (!(await store.deleteRule(req.params.id))) {
        throw new NotFoundError(`No rule ${req.params.id}`);
      }
      await event.success();
      res.status(204).end();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  // ------------------------------------------------------------ sessions

  router.get('/sessions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const all = await allowed(credentials, bastionSessionReadPermission);
    const q = req.query;
    const items = await store.listSessions({
      user: all ? q.user : actorOf(credentials),
      host: q.host,
      open: q.open === undefined ? undefined : q.open === 'true',
      limit: q.limit,
    });
    res.json({ items: items.map(withLive) });
  });

  router.get('/sessions/live', async (req, res) => {
    await authorize(req, bastionSessionManagePermission, 'see live sessions');
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
    const event = await auditor.createEvent({
      eventId: 'session-terminate',
      severityLevel: 'high',
      request: req,
      meta: { sessionId: req.params.id },
    });
    try {
      const credentials = await authorize(
        req,
        bastionSessionManagePermission,
        'terminate sessions',
      );
      const result = await sessions.terminateAnywhere(
        req.params.id,
        `Terminated by ${actorOf(credentials)}`,
      );
      if (!result) {
        throw new NotFoundError(`Session ${req.params.id} is not live`);
      }
      await event.success({ meta: { ...result } });
      if (result.done === 'local') {
        res.status(204).end();
      } else {
        // another instance holds it and ends it at its next poll (about a second)
        res.status(202).json(result);
      }
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  /** A live session of the caller, for file transfer on its host. */
  async function transferSession(req: AnyRequest, id: string) {
    const credentials = await authorize(
      req,
      bastionSessionOpenPermission,
      'transfer files',
    );
    const found = sessions.transferTarget(id, actorOf(credentials));
    if (!found) throw new NotFoundError(`You have no live session ${id}`);
    return found;
  }

  router.get('/sessions/:id/files', async (req, res) => {
    const path = String(req.query.path);
    const event = await auditor.createEvent({
      eventId: 'file-download',
      severityLevel: 'medium',
      request: req,
      meta: { sessionId: req.params.id, path },
    });
    try {
      const { target, record } = await transferSession(req, req.params.id);
      const stream = await options.ssh.downloadStream(target, path);
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      const name = path.split('/').pop() || 'download';
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
      );
      stream.pipe(res);
      await new Promise<void>((resolve, reject) => {
        stream.once('end', resolve);
        stream.once('error', reject);
      });
      await event.success({ meta: { host: record.host, bytes } });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.put('/sessions/:id/files', async (req, res) => {
    const path = String(req.query.path);
    const event = await auditor.createEvent({
      eventId: 'file-upload',
      severityLevel: 'medium',
      request: req,
      meta: { sessionId: req.params.id, path },
    });
    try {
      const { target, record } = await transferSession(req, req.params.id);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const { bytes } = await options.ssh.uploadStream(
        target,
        Readable.from([body]),
        path,
      );
      await event.success({ meta: { host: record.host, bytes } });
      res.json({ bytes });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/commands', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const all = await allowed(credentials, bastionSessionReadPermission);
    const q = req.query;
    res.json({
      items: await store.searchCommands({
        q: q.q,
        user: all ? q.user : actorOf(credentials),
        host: q.host,
        sessionId: q.sessionId,
        limit: q.limit,
      }),
    });
  });

  // ------------------------------------------------------------ MFA

  router.get('/mfa', async (req, res) => {
    const credentials = await authorize(
      req,
      bastionSessionOpenPermission,
      'use the bastion',
    );
    res.json({
      ...(await mfa.status(actorOf(credentials))),
      canResetOthers: await allowed(credentials, bastionMfaResetPermission),
    });
  });

  router.post('/mfa/enrol', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'mfa-enrol',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const credentials = await authorize(
        req,
        bastionSessionOpenPermission,
        'use the bastion',
      );
      const result = await mfa.enrol(actorOf(credentials));
      await event.success();
      res.json(result);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/mfa/verify', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'mfa-verify',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const credentials = await authorize(
        req,
        bastionSessionOpenPermission,
        'use the bastion',
      );
      const result = await mfa.verify(actorOf(credentials), req.body.code);
      await event.success();
      res.json(result);
    } catch (error) {
      await event.fail({ error: error as Error });
      if (error instanceof TooManyAttemptsError) {
        res
          .status(429)
          .json({ error: { name: error.name, message: error.message } });
        return;
      }
      throw error;
    }
  });

  router.post('/mfa/reset', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'mfa-reset',
      severityLevel: 'high',
      request: req,
    });
    try {
      const credentials = await authorize(
        req,
        bastionSessionOpenPermission,
        'use the bastion',
      );
      const userRef = actorOf(credentials);
      const result = await mfa.reset(userRef, req.body.code);
      await event.success({ meta: { userRef } });
      res.json(result);
    } catch (error) {
      await event.fail({ error: error as Error });
      if (error instanceof TooManyAttemptsError) {
        res
          .status(429)
          .json({ error: { name: error.name, message: error.message } });
        return;
      }
      throw error;
    }
  });

  router.post('/mfa/admin-reset', async (req, res) => {
    const userRef = req.body.userRef;
    const event = await auditor.createEvent({
      eventId: 'mfa-admin-reset',
      severityLevel: 'high',
      request: req,
      meta: { userRef },
    });
    try {
      await authorize(
        req,
        bastionMfaResetPermission,
        "reset other users' TOTP",
      );
      if (!(await mfa.adminReset(userRef))) {
        throw new NotFoundError(`${userRef} has no TOTP enrolment`);
      }
      await event.success();
      res.status(204).end();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
