import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { configPushProdPermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import {
  approvalAuditMeta,
  approvalRequiredHandler,
  parseApprovalAsk,
  sendApprovalRequested,
} from '@opsdeck/plugin-tickets-node';
import type { Request } from 'express';
import { createOpenApiRouter } from '../schema/openapi.generated';
import type { Caller, ConfigService } from './ConfigService';

type Req = Request<any, any, any, any, any>;

/**
 * The config plugin's HTTP API (src/schema/openapi.yaml). Every route passes
 * the request guard first (authentication and the permission of
 * src/schema/access.ts); every change is audited with the person as actor.
 */
export async function createRouter(options: {
  service: ConfigService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger?: LoggerService;
}) {
  const { service, auditor } = options;
  const guard = createRequestGuard(options);
  const router = await createOpenApiRouter({ guard });

  async function caller(req: Req): Promise<Caller> {
    const credentials = await guard.credentials(req, ['user']);
    return {
      ref: principalRef(credentials),
      credentials,
      mayPushProd: await guard.allowed(credentials, configPushProdPermission),
    };
  }
  const setTarget = (id: unknown) => `config-set:${id}`;

  router.get('/sets', async (_req, res) => {
    res.json({ items: await service.store.listSets() });
  });

  router.post('/sets', async (req, res) => {
    const who = await caller(req);
    const set = await audited(
      auditor,
      {
        eventId: 'config-set-create',
        request: req,
        target: `config-set:${req.body.name}`,
        meta: { ...req.body },
        successMeta: s => ({ setId: s.id }),
      },
      () => service.createSet(req.body as ConfigSetInput, who),
    );
    res.status(201).json(set);
  });

  router.get('/sets/:id', async (req, res) => {
    res.json(await service.getSet(Number(req.params.id)));
  });

  router.put('/sets/:id', async (req, res) => {
    const who = await caller(req);
    const set = await audited(
      auditor,
      {
        eventId: 'config-set-update',
        request: req,
        target: setTarget(Number(req.params.id)),
        meta: { ...req.body },
      },
      () =>
        service.updateSet(
          Number(req.params.id),
          req.body as ConfigSetInput,
          who,
        ),
    );
    res.json(set);
  });

  router.get('/sets/:id/versions', async (req, res) => {
    await service.getSet(Number(req.params.id));
    res.json({
      items: await service.store.listVersions(Number(req.params.id)),
    });
  });

  router.post('/sets/:id/versions', async (req, res) => {
    const who = await caller(req);
    const version = await audited(
      auditor,
      {
        eventId: 'config-version-save',
        request: req,
        target: setTarget(Number(req.params.id)),
        meta: { message: req.body.message },
        successMeta: v => ({ version: v.version }),
      },
      () =>
        service.saveVersion(
          Number(req.params.id),
          {
            template: req.body.template,
            variables: req.body.variables ?? {},
            message: req.body.message,
          },
          who,
        ),
    );
    res.status(201).json(version);
  });

  router.get('/sets/:id/versions/:version', async (req, res) => {
    res.json(
      await service.getVersion(
        Number(req.params.id),
        Number(req.params.version),
      ),
    );
  });

  router.get('/sets/:id/versions/:version/preview', async (req, res) => {
    const who = await caller(req);
    res.json({
      items: await service.preview(
        Number(req.params.id),
        Number(req.params.version),
        who,
      ),
    });
  });

  router.get('/sets/:id/diff', async (req, res) => {
    res.json(
      await service.diff(
        Number(req.params.id),
        Number(req.query.from),
        Number(req.query.to),
      ),
    );
  });

  router.get('/sets/:id/releases', async (req, res) => {
    await service.getSet(Number(req.params.id));
    res.json({
      items: await service.store.listReleases(Number(req.params.id)),
    });
  });

  router.post('/sets/:id/releases', async (req, res) => {
    const who = await caller(req);
    const outcome = await audited(
      auditor,
      {
        eventId: 'config-push',
        severityLevel: 'high',
        request: req,
        target: setTarget(Number(req.params.id)),
        meta: { ...req.body },
        successMeta: r => ({
          ...(r.requested
            ? {}
            : {
                releaseId: r.release.id,
                hosts: r.release.hosts.map(h => h.host),
              }),
          ...approvalAuditMeta(r),
        }),
      },
      () =>
        service.release(
          Number(req.params.id),
          { ...req.body, ...parseApprovalAsk(req.body) },
          who,
        ),
    );
    if (outcome.requested) {
      sendApprovalRequested(res, outcome.requested);
      return;
    }
    res.status(201).json(outcome.release);
  });

  router.post('/sets/:id/rollback', async (req, res) => {
    const who = await caller(req);
    const outcome = await audited(
      auditor,
      {
        eventId: 'config-rollback',
        severityLevel: 'high',
        request: req,
        target: setTarget(Number(req.params.id)),
        meta: { ...req.body },
        successMeta: r => ({
          ...(r.requested
            ? {}
            : {
                newVersion: r.version.version,
                releaseId: r.release.id,
                hosts: r.release.hosts.map(h => h.host),
              }),
          ...approvalAuditMeta(r),
        }),
      },
      () =>
        service.rollbackGated(
          Number(req.params.id),
          { ...req.body, ...parseApprovalAsk(req.body) },
          who,
        ),
    );
    if (outcome.requested) {
      sendApprovalRequested(res, outcome.requested);
      return;
    }
    res
      .status(201)
      .json({ version: outcome.version, release: outcome.release });
  });

  router.get('/sets/:id/drift', async (req, res) => {
    const who = await caller(req);
    res.json({ items: await service.drift(Number(req.params.id), who) });
  });

  router.post('/sets/:id/adopt', async (req, res) => {
    const who = await caller(req);
    const outcome = await audited(
      auditor,
      {
        eventId: 'config-adopt-live',
        severityLevel: 'high',
        request: req,
        target: setTarget(Number(req.params.id)),
        // not liveSha256: viewers read the audit log, and a hash of a file
        // holding a secret is one to guess a weak secret against
        meta: { ...req.body, liveSha256: undefined },
        successMeta: r => ({
          ...(r.requested ? {} : { version: r.version.version }),
          ...approvalAuditMeta(r),
        }),
      },
      () =>
        service.adoptGated(
          Number(req.params.id),
          { ...req.body, ...parseApprovalAsk(req.body) },
          who,
        ),
    );
    if (outcome.requested) {
      sendApprovalRequested(res, outcome.requested);
      return;
    }
    res.status(201).json(outcome.version);
  });

  router.get('/releases/:id', async (req, res) => {
    const release = await service.store.getRelease(Number(req.params.id));
    if (!release)
      throw new NotFoundError(`No release ${Number(req.params.id)}`);
    res.json(release);
  });

  // a paused (or, to abort, running) release: the person going on or stopping it is the actor
  router.post('/releases/:id/continue', async (req, res) => {
    const who = await caller(req);
    const id = Number(req.params.id);
    const { release } = await audited(
      auditor,
      {
        eventId: 'config-release-continue',
        severityLevel: 'high',
        request: req,
        target: `config-release:${id}`,
        meta: { releaseId: id },
        successMeta: r => ({ nextBatch: r.release.nextBatch }),
      },
      () => service.continueRelease(id, who),
    );
    res.json(release);
  });

  // the separate reload of a release pushed without reload: the same prod
  // gate as a push (config.push.prod or an approval ticket for this reload)
  router.post('/releases/:id/reload', async (req, res) => {
    const who = await caller(req);
    const id = Number(req.params.id);
    const outcome = await audited(
      auditor,
      {
        eventId: 'config-release-reload',
        severityLevel: 'high',
        request: req,
        target: `config-release:${id}`,
        meta: { releaseId: id, ...req.body },
        successMeta: r => ({
          ...(r.requested ? {} : { hosts: r.release.hosts.map(h => h.host) }),
          ...approvalAuditMeta(r),
        }),
      },
      () => service.reloadRelease(id, parseApprovalAsk(req.body ?? {}), who),
    );
    if (outcome.requested) {
      sendApprovalRequested(res, outcome.requested);
      return;
    }
    res.json(outcome.release);
  });

  router.post('/releases/:id/abort', async (req, res) => {
    const who = await caller(req);
    const id = Number(req.params.id);
    const release = await audited(
      auditor,
      {
        eventId: 'config-release-abort',
        severityLevel: 'high',
        request: req,
        target: `config-release:${id}`,
        meta: { releaseId: id },
        successMeta: r => ({ status: r.status }),
      },
      () => service.abortRelease(id, who),
    );
    res.json(release);
  });

  // A prod change without the prod permission: 403 that says an approved
  // ticket would do (the audited() event above recorded the refusal).
  router.use(approvalRequiredHandler());

  return router;
}
