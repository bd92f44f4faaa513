import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
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
import { InvalidPatternError } from '../locator/re2';
import { createOpenApiRouter } from '../schema/openapi.generated';
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
