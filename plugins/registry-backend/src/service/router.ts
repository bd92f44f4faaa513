import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  audited,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import { NotAllowedError } from '@backstage/errors';
import type { Request } from 'express';
import type { DatabaseRunningDigests } from '../running/DatabaseRunningDigests';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { RegistryService } from './RegistryService';

type Req = Request<any, any, any, any, any>;

/** The one plugin that may report each source kind of running digests. */
const REPORTERS = new Map([
  ['cluster:', 'plugin:kubernetes'],
  ['host:', 'plugin:cmdb'],
]);

/**
 * The domain types are interfaces, which TypeScript does not match against
 * the generated spec's index-signature types; the spec's response
 * validation is the check of their shape.
 */
const asJson = (value: unknown) => value as any;

/**
 * The registry plugin's HTTP API (see src/schema/openapi.yaml). Every route
 * passes the request guard first (authentication and the permission of
 * src/schema/access.ts); the registry resource is read from the catalog with
 * the caller's credentials, so one they cannot see is a 404.
 */
export async function createRouter(options: {
  service: RegistryService;
  running: Pick<DatabaseRunningDigests, 'report'>;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger?: LoggerService;
}) {
  const { service, auditor } = options;
  const guard = createRequestGuard(options);
  const router = await createOpenApiRouter({ guard });

  async function registryOf(req: Req) {
    const credentials = await guard.credentials(req, ['user']);
    const target = await service.target(
      req.params.namespace,
      req.params.name,
      credentials,
    );
    return { target, actor: principalRef(credentials), credentials };
  }

  router.get('/registries', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    res.json({ items: asJson(await service.list(credentials)) });
  });

  router.get('/registries/:namespace/:name/repositories', async (req, res) => {
    const { target, actor } = await registryOf(req);
    res.json(
      await service.repositories(
        target,
        actor,
        req.query.limit ?? 100,
        req.query.last,
      ),
    );
  });

  router.get('/registries/:namespace/:name/tags', async (req, res) => {
    const { target, actor } = await registryOf(req);
    res.json(
      await service.tags(
        target,
        actor,
        req.query.repository,
        req.query.limit ?? 100,
        req.query.last,
      ),
    );
  });

  router.get('/registries/:namespace/:name/recent-tags', async (req, res) => {
    const { target, actor, credentials } = await registryOf(req);
    res.json(
      asJson(
        await service.recentTags(
          target,
          actor,
          req.query.repository,
          req.query.limit ?? 5,
          credentials,
        ),
      ),
    );
  });

  router.get('/registries/:namespace/:name/manifest', async (req, res) => {
    const { target, actor, credentials } = await registryOf(req);
    res.json(
      asJson(
        await service.manifest(
          target,
          actor,
          req.query.repository,
          req.query.reference,
          credentials,
        ),
      ),
    );
  });

  router.post('/registries/:namespace/:name/tags/delete', async (req, res) => {
    const { target, actor, credentials } = await registryOf(req);
    const { repository, tag, confirmDigest } = req.body;
    const result = await audited(
      auditor,
      {
        eventId: 'registry-tag-delete',
        severityLevel: 'high',
        request: req,
        actor,
        target: target.ref,
        meta: { repository, tag },
        successMeta: r => ({ digest: r.digest, removedTags: r.removedTags }),
      },
      () =>
        service.deleteTag(
          target,
          actor,
          repository,
          tag,
          confirmDigest,
          credentials,
        ),
    );
    res.json(result);
  });

  router.post(
    '/registries/:namespace/:name/retention/dry-run',
    async (req, res) => {
      const { target, actor } = await registryOf(req);
      res.json(
        asJson(
          await service.retentionDryRun(
            target,
            actor,
            req.body.repository,
            req.body.keepLast,
          ),
        ),
      );
    },
  );

  router.post(
    '/registries/:namespace/:name/retention/apply',
    async (req, res) => {
      const { target, actor, credentials } = await registryOf(req);
      const { repository, keepLast, digests } = req.body;
      const result = await audited(
        auditor,
        {
          eventId: 'registry-retention-apply',
          severityLevel: 'high',
          request: req,
          actor,
          target: target.ref,
          meta: { repository, keepLast, digests },
          successMeta: r => ({
            deleted: r.deleted.map(e => `${e.tag}@${e.digest}`),
          }),
        },
        () =>
          service.retentionApply(
            target,
            actor,
            repository,
            keepLast,
            digests,
            credentials,
          ),
      );
      res.json(asJson(result));
    },
  );

  // Each source kind belongs to one reporting plugin: the kubernetes plugin
  // cannot say what runs on a host, nor the cmdb on a cluster.
  router.post('/running/report', async (req, res) => {
    const credentials = await guard.credentials(req, ['service']);
    const principal = credentials.principal;
    const subject = 'subject' in principal ? principal.subject : undefined;
    const { source, images } = req.body;
    const kind = source.slice(0, source.indexOf(':') + 1);
    const owner = REPORTERS.get(kind);
    if (!owner || subject !== owner) {
      throw new NotAllowedError(
        `${subject} may not report running digests for ${source}`,
      );
    }
    await options.running.report(source, images as any);
    res.status(204).end();
  });

  return router;
}
