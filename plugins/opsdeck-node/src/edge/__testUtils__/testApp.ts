import type { AuditorService } from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import express from 'express';
import type { Access } from '../access';
import { createRequestGuard, RequestGuard } from '../RequestGuard';
import { createLazyValidatedOpenApiRouter } from '../openApiRouter';

/** Permissions of the test app. */
export const readPermission = createPermission({
  name: 'test.thing.read',
  attributes: { action: 'read' },
});
export const writePermission = createPermission({
  name: 'test.thing.write',
  attributes: { action: 'update' },
});
export const runPermission = createPermission({
  name: 'test.thing.run',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** A small spec with a body that needs validating. */
export const spec = {
  openapi: '3.1.0',
  info: { title: 'test', version: '1' },
  paths: {
    '/things': {
      get: { responses: { '200': { description: 'ok' } } },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: { name: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
        responses: { '201': { description: 'created' } },
      },
    },
    '/things/export.csv': {
      get: { responses: { '200': { description: 'ok' } } },
    },
    '/things/{name}': {
      get: {
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string' },
          },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/things/{name}/run': {
      post: {
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string' },
          },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/sign-in': {
      post: { responses: { '200': { description: 'ok' } } },
    },
    '/mine': {
      get: { responses: { '200': { description: 'ok' } } },
    },
  },
} as const;

export const access: Record<string, Access> = {
  'GET /things': readPermission,
  'POST /things': { permission: writePermission, allow: ['user'] },
  'GET /things/export.csv': readPermission,
  'GET /things/{name}': readPermission,
  'POST /things/{name}/run': runPermission,
  'POST /sign-in': { public: 'how callers get credentials' },
  'GET /mine': { authenticate: ['user'], reason: 'own records only' },
};

export type Recorded = {
  eventId: string;
  meta: Record<string, unknown>;
  status: 'initiated' | 'succeeded' | 'failed';
  error?: string;
  request: boolean;
};

/** An auditor that records events, as the opsdeck auditor would receive them. */
export function recordingAuditor() {
  const events: Recorded[] = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: Recorded = {
        eventId: options.eventId,
        meta: { ...options.meta },
        status: 'initiated',
        request: Boolean(options.request),
      };
      events.push(event);
      return {
        async success(o) {
          event.status = 'succeeded';
          Object.assign(event.meta, o?.meta);
        },
        async fail(o) {
          event.status = 'failed';
          event.error = o.error.message;
        },
      };
    },
  };
  return { auditor, events };
}

/**
 * An app whose router is composed the way scripts/openapi-generate.mjs
 * composes every plugin's: guard, then body parser, then validation.
 */
export function createTestApp(options: {
  decide(permission: Permission, user: string): AuthorizeResult;
  routes?(router: express.Router, guard: RequestGuard): void;
}) {
  const { auditor, events } = recordingAuditor();
  const calls: string[] = [];
  const permissions = mockServices.permissions.mock({
    authorize: (async (requests: any[], { credentials }: any) =>
      requests.map(r => {
        calls.push(r.permission.name);
        return {
          result: options.decide(
            r.permission,
            credentials.principal.userEntityRef ??
              credentials.principal.subject,
          ),
        };
      })) as any,
    authorizeConditional: (async (requests: any[], { credentials }: any) =>
      requests.map(r => {
        calls.push(r.permission.name);
        return {
          result: options.decide(
            r.permission,
            credentials.principal.userEntityRef ??
              credentials.principal.subject,
          ),
        };
      })) as any,
  });
  const guard = createRequestGuard({
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    }),
    permissions,
    auditor,
  });
  const router = createLazyValidatedOpenApiRouter(spec as any, {
    middleware: [guard.middleware(spec, access), express.json()],
  }) as unknown as express.Router;
  router.get('/things', (_req, res) => {
    res.json([]);
  });
  router.post('/things', (req, res) => {
    res.status(201).json(req.body);
  });
  router.get('/things/export.csv', (_req, res) => {
    res.send('csv');
  });
  router.get('/things/:name', (req, res) => {
    res.json({ name: req.params.name });
  });
  router.post('/sign-in', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/mine', (_req, res) => {
    res.json([]);
  });
  options.routes?.(router, guard);

  const app = express();
  app.use('/api/test', router);
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  app.use(middleware.error());
  return { app, events, calls, guard, auditor };
}
