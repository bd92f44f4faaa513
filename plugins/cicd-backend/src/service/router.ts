import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { cicdAnyOwnerPermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  createRequestGuard,
  entityOwnerRef,
  ownsEntity,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import type { Request } from 'express';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidPatternError } from '../locator/re2';
import { createOpenApiRouter } from '../schema/openapi.generated';
import type { AlertDelivery } from '../alerts/AlertDelivery';
import { CicdService } from './CicdService';

type Req = Request<any, any, any, any, any>;

/** `kind:namespace/name`, each part as the catalog spells it. */
const FULL_REF =
  /^[A-Za-z][A-Za-z0-9-]{0,62}:[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** The entity a timeline is asked for: a full ref, else 400. */
function timelineEntityRef(value: unknown): string {
  if (typeof value !== 'string' || !FULL_REF.test(value)) {
    throw new InputError('entity must be an entity ref kind:namespace/name');
  }
  return stringifyEntityRef(parseEntityRef(value));
}

/**
 * The domain types are interfaces, which TypeScript does not match against
 * the generated spec's index-signature types; the spec's response
 * validation is the check of their shape.
 */
const asJson = (value: unknown) => value as any;

/**
 * The CI/CD plugin's HTTP API (see src/schema/openapi.yaml). Every route
 * passes the request guard first (authentication and the permission of
 * src/schema/access.ts); the entity is read from the catalog with the
 * caller's credentials, so an entity they cannot see is a 404.
 */
export async function createRouter(options: {
  service: CicdService;
  /** The alert outbox (given-up alerts, send again). */
  delivery: AlertDelivery;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  userInfo: UserInfoService;
  logger?: LoggerService;
}) {
  const { service, catalog, auditor } = options;
  const guard = createRequestGuard(options);
  const router = await createOpenApiRouter({ guard });

  async function entityOf(req: Req) {
    const credentials = await guard.credentials(req, ['user']);
    const ref = stringifyEntityRef({
      kind: req.params.kind,
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref}`);
    return { entity, ref, credentials, actor: principalRef(credentials) };
  }

  router.get('/entities/:kind/:namespace/:name/builds', async (req, res) => {
    const { entity, actor } = await entityOf(req);
    res.json(
      asJson(
        await service.builds(
          actor,
          entity,
          req.query.page ?? 0,
          req.query.limit ?? 20,
        ),
      ),
    );
  });

  router.get('/entities/:kind/:namespace/:name/build', async (req, res) => {
    const { entity, actor } = await entityOf(req);
    res.json(
      asJson(
        await service.detail(actor, entity, req.query.job, req.query.number),
      ),
    );
  });

  // A Jenkins build's archived file, read with the person's credential and
  // passed through: served as an attachment of unknown type (never rendered
  // in opsdeck's origin), cut at the configured size.
  router.get('/entities/:kind/:namespace/:name/artifact', async (req, res) => {
    const { entity, actor } = await entityOf(req);
    const file = await service.artifact(
      actor,
      entity,
      req.query.job,
      req.query.number,
      req.query.path,
    );
    if (file.length !== undefined && file.length > file.maxBytes) {
      await file.body.cancel().catch(() => {});
      throw new InputError(
        `The artifact is larger than ${file.maxBytes} bytes; download it from Jenkins`,
      );
    }
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.setHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    );
    if (file.length !== undefined) {
      res.setHeader('Content-Length', String(file.length));
    }
    let seen = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > file.maxBytes) done(new Error('artifact over the cap'));
        else done(null, chunk);
      },
    });
    // a read error or the cap after the headers went out can only cut the
    // response short
    await pipeline(Readable.fromWeb(file.body as any), cap, res).catch(() =>
      res.destroy(),
    );
  });

  router.get('/entities/:kind/:namespace/:name/flaky', async (req, res) => {
    const { entity } = await entityOf(req);
    res.json({ items: asJson(await service.flaky(entity)) });
  });

  router.post('/entities/:kind/:namespace/:name/rebuild', async (req, res) => {
    const { entity, ref, credentials, actor } = await entityOf(req);
    const { job, number } = req.body;
    const result = await audited(
      auditor,
      {
        eventId: 'build-rebuild',
        request: req,
        actor,
        target: ref,
        meta: { job, number },
        successMeta: r => ({ job: r.job, queueId: r.queueId }),
      },
      async () => {
        // a person starts jobs of their own groups' components (ops: any)
        if (
          !(await guard.allowed(credentials, cicdAnyOwnerPermission)) &&
          !(await ownsEntity(options.userInfo, credentials, entity))
        ) {
          throw new NotAllowedError(
            `${ref} is owned by ${
              entityOwnerRef(entity) ?? 'nobody'
            }, not by one of your groups`,
          );
        }
        return service.rebuild(actor, entity, job, number);
      },
    );
    res.status(202).json(result);
  });

  router.get('/timeline', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const ref = timelineEntityRef(req.query.entity);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref}`);
    res.json(asJson(await service.timeline(principalRef(credentials), entity)));
  });

  // alerts given up after their retries (ops): every component's
  router.get('/alerts/given-up', async (_req, res) => {
    res.json({ items: asJson(await options.delivery.givenUp()) });
  });

  // send a given-up alert again now: one atomic claim of the row, audited
  // with the person as actor
  router.post('/alerts/given-up/:id/retry', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const actor = principalRef(credentials);
    const id = Number(req.params.id);
    const result = await audited(
      auditor,
      {
        eventId: 'alert-retry',
        request: req,
        actor,
        target: `cicd-alert:${id}`,
        successMeta: r => ({
          job: r.job,
          build: r.number,
          status: r.status,
          ...(r.error ? { error: r.error } : {}),
        }),
      },
      async () => {
        const r = await options.delivery.retryNow(id);
        if (!r) {
          throw new ConflictError(
            `Alert ${id} is not given up (sent, being retried, or no such alert)`,
          );
        }
        return {
          id,
          job: r.jobKey,
          number: r.number,
          status: r.status,
          ...(r.error ? { error: r.error } : {}),
        };
      },
    );
    res.json(result);
  });

  router.post('/causes/try', async (req, res) => {
    try {
      res.json(service.tryCause(req.body.cause, req.body.log));
    } catch (e) {
      if (e instanceof InvalidPatternError) throw new InputError(e.message);
      throw e;
    }
  });

  router.get('/causes', async (_req, res) => {
    res.json({ items: asJson(await service.causes()) });
  });

  router.post('/causes', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const actor = principalRef(credentials);
    const cause = await audited(
      auditor,
      {
        eventId: 'cause-create',
        request: req,
        actor,
        target: 'cicd-cause:new',
        meta: {
          name: req.body.name,
          category: req.body.category,
          patterns: req.body.patterns,
        },
        successMeta: c => ({ target: `cicd-cause:${c.id}` }),
      },
      () => service.addCause(req.body, actor),
    );
    res.status(201).json(asJson(cause));
  });

  router.delete('/causes/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const actor = principalRef(credentials);
    const cause = await audited(
      auditor,
      {
        eventId: 'cause-delete',
        request: req,
        actor,
        target: `cicd-cause:${req.params.id}`,
        successMeta: c => ({ name: c.title.en, patterns: c.patterns }),
      },
      () => service.deleteCause(req.params.id),
    );
    res.json(asJson(cause));
  });

  return router;
}
