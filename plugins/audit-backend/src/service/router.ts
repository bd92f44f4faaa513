import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { auditEventReadPermission } from '@opsdeck/plugin-opsdeck-common';
import type { Request } from 'express';
import { AuditStore } from '../database/AuditStore';
import { createOpenApiRouter } from '../schema/openapi.generated';

/** Read-only HTTP API of the audit log. */
export async function createRouter(options: {
  store: AuditStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}) {
  const { store, httpAuth, permissions } = options;
  const router = await createOpenApiRouter();

  async function requireRead(req: Request<any, any, any, any, any>) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: auditEventReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('You are not allowed to read the audit log');
    }
  }

  router.get('/events', async (req, res) => {
    await requireRead(req);
    const q = req.query;
    for (const key of ['from', 'to'] as const) {
      if (q[key] !== undefined && Number.isNaN(Date.parse(q[key]!))) {
        throw new InputError(`Invalid '${key}', expected an ISO 8601 time`);
      }
    }
    res.json(
      await store.list({
        actor: q.actor,
        action: q.action,
        plugin: q.plugin,
        target: q.target,
        status: q.status,
        from: q.from,
        to: q.to,
        before: q.before,
        limit: q.limit,
      }),
    );
  });

  router.get('/events/:id', async (req, res) => {
    await requireRead(req);
    const event = await store.get(Number(req.params.id));
    if (!event) {
      throw new NotFoundError(`No audit event with id ${req.params.id}`);
    }
    res.json(event);
  });

  router.get('/facets', async (req, res) => {
    await requireRead(req);
    res.json(await store.facets());
  });

  return router;
}
