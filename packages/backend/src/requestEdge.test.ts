/**
 * The request edge across every opsdeck plugin, wired as in production: the
 * generated routers with their access rules, the opsdeck permission policy's
 * roles, the opsdeck auditor writing the audit log.
 *
 * Every request below is invalid (an unknown query parameter, a body the
 * spec refuses): an admin gets 400 from validation, which proves the request
 * reaches it; a caller without the permission gets 403 whatever they send,
 * and every 403 is on the audit log as a denial naming them and the path.
 */
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { createSpecializedBackend } from '@backstage/backend-app-api';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import auditPlugin, {
  opsdeckAuditorServiceFactory,
} from '@opsdeck/plugin-audit-backend';
import bastionPlugin from '@opsdeck/plugin-bastion-backend';
import cmdbPlugin from '@opsdeck/plugin-cmdb-backend';
import filesPlugin from '@opsdeck/plugin-files-backend';
import jobsPlugin from '@opsdeck/plugin-jobs-backend';
import localAuthPlugin from '@opsdeck/plugin-local-auth-backend';
import sqlPlugin from '@opsdeck/plugin-sql-backend';
import ticketsPlugin from '@opsdeck/plugin-tickets-backend';
import vaultPlugin, {
  vaultServiceFactory,
} from '@opsdeck/plugin-vault-backend';
import {
  OpsdeckPermissionPolicy,
  readOpsdeckPolicyConfig,
} from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import request from 'supertest';

/** A free port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

jest.setTimeout(300_000);

const PLUGINS = [
  'audit',
  'local-auth',
  'vault',
  'cmdb',
  'files',
  'bastion',
  'tickets',
  'sql',
  'jobs',
];

/** Operations anyone may call (they are how a caller gets credentials). */
const PUBLIC = new Set(['local-auth POST /login', 'local-auth POST /logout']);
/** Operations any signed-in user may call; the router shows them their own records only. */
const OWN_RECORDS = new Set([
  'bastion GET /sessions',
  'bastion GET /sessions/{id}',
  'bastion GET /sessions/{id}/recording',
  'bastion GET /commands',
]);
/** The workflow routes of templates: services only, never a user. */
const SERVICE_ONLY = new Set([
  'tickets POST /workflow/tickets',
  'tickets GET /workflow/tickets/{id}',
  'tickets POST /workflow/tickets/{id}/state',
]);
/** POSTs that change nothing: they need the read permission, as a GET would. */
const READ_LIKE = new Set([
  'jobs POST /hosts/preview',
  'sql POST /instances/check',
  'sql POST /review',
  'sql POST /slow-queries/refresh',
  'sql POST /query',
  'sql POST /query/export',
  'tickets POST /tickets/{id}/account-check',
]);

const roles = {
  admin: ['user:default/alice'],
  viewer: ['user:default/erin'],
  // victor has no role
};

/** The opsdeck policy's decisions (services are trusted, as in Backstage). */
function opsdeckPermissions() {
  const policy = new OpsdeckPermissionPolicy({
    ...readOpsdeckPolicyConfig(new ConfigReader({ opsdeck: { roles } })),
    userInfo: mockServices.userInfo(),
  });
  const decide = (permission: Permission, credentials: any) => {
    if (credentials.principal.type === 'service') {
      return { result: AuthorizeResult.ALLOW };
    }
    return policy.decide(
      permission,
      policy.rolesOf([credentials.principal.userEntityRef]),
    );
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () =>
      ({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => decide(r.permission, credentials)),
        authorizeConditional: async (requests: any[], { credentials }: any) =>
          requests.map(r => decide(r.permission, credentials)),
      } as any),
  });
}

type Operation = { plugin: string; method: string; path: string };

describe('the request edge of every opsdeck route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-edge-'));
  mkdirSync(join(dir, 'files'));
  mkdirSync(join(dir, 'recordings'));
  let server: string;
  let stop: () => Promise<void>;
  let operations: Operation[];
  const alice = mockCredentials.user.header('user:default/alice');

  beforeAll(async () => {
    const port = await freePort();
    // The app's routers (backend-defaults 0.19, with WebSocket routing for the
    // bastion) on a real port, with the mock auth services so mock tokens work.
    const backend = createSpecializedBackend({
      defaultServiceFactories: [
        rootHttpRouterServiceFactory(),
        httpRouterServiceFactory,
        databaseServiceFactory,
        mockServices.auth.factory(),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.userInfo.factory(),
        mockServices.cache.factory(),
        mockServices.lifecycle.factory(),
        mockServices.logger.factory(),
        mockServices.permissionsRegistry.factory(),
        mockServices.rootHealth.factory(),
        mockServices.rootLifecycle.factory(),
        mockServices.rootLogger.factory(),
        mockServices.scheduler.factory(),
        mockServices.discovery.factory(),
        opsdeckAuditorServiceFactory,
        opsdeckPermissions(),
        catalogServiceMock.factory({ entities: [] }),
        // vaultServiceRef (vault-node) has no default factory: the backend adds it
        vaultServiceFactory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: `http://127.0.0.1:${port}` },
            backend: {
              baseUrl: `http://127.0.0.1:${port}`,
              listen: { host: '127.0.0.1', port },
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
            opsdeck: {
              roles,
              audit: { minSeverity: 'medium' },
              localAuth: {
                sessionSecret: 'edge-test-session-secret-0123456789abcdef',
                seedUsers: [],
              },
              vault: {
                keys: [
                  {
                    id: 'edge-test',
                    secret: Buffer.alloc(32, 7).toString('base64'),
                  },
                ],
              },
              bastion: {
                recordingsDir: join(dir, 'recordings'),
                mfa: { key: Buffer.alloc(32, 9).toString('base64') },
              },
              files: { storage: { directory: join(dir, 'files') } },
              jobs: { scheduleIntervalSeconds: 3600 },
              cmdb: {
                facts: { frequencyMinutes: 600, initialDelaySeconds: 3600 },
              },
            },
          },
        }),
      ],
    });
    for (const plugin of [
      auditPlugin,
      localAuthPlugin,
      vaultPlugin,
      cmdbPlugin,
      filesPlugin,
      bastionPlugin,
      ticketsPlugin,
      sqlPlugin,
      jobsPlugin,
    ]) {
      backend.add(plugin);
    }
    await backend.start();
    server = `http://127.0.0.1:${port}`;
    stop = () => backend.stop();

    // every operation of every plugin, from the spec each router serves
    operations = [];
    for (const plugin of PLUGINS) {
      const res = await request(server)
        .get(`/api/${plugin}/openapi.json`)
        .set('Authorization', alice);
      if (res.status !== 200) {
        throw new Error(`GET /api/${plugin}/openapi.json: ${res.status}`);
      }
      for (const [template, item] of Object.entries<any>(res.body.paths)) {
        const path = template.replace(new RegExp(`^/api/${plugin}`), '');
        for (const method of Object.keys(item)) {
          if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
            operations.push({ plugin, method: method.toUpperCase(), path });
          }
        }
      }
    }
  });

  afterAll(async () => {
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const key = (o: Operation) => `${o.plugin} ${o.method} ${o.path}`;
  const urlOf = (o: Operation) =>
    `/api/${o.plugin}${o.path.replace(/\{[^}]+\}/g, '1')}`;

  /** An invalid request: an unknown query parameter, and a body no spec accepts. */
  async function call(o: Operation, authorization: string) {
    let r = (request(server) as any)
      [o.method.toLowerCase()](`${urlOf(o)}?opsdeckEdgeProbe=1`)
      .set('Authorization', authorization);
    if (o.method !== 'GET') {
      r = r
        .set('Content-Type', 'application/json')
        .send('{"opsdeckEdgeProbe": [1, {"x": null}]');
    }
    const res = await r;
    return res.status as number;
  }

  /** Denials on the audit log for this user, oldest first. */
  async function denialsOf(user: string, expected: number) {
    let items: any[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      items = [];
      let before: number | undefined;
      for (;;) {
        const page = await request(server)
          .get('/api/audit/events')
          .query({
            actor: user,
            outcome: 'denied',
            limit: 200,
            ...(before ? { before } : {}),
          })
          .set('Authorization', alice);
        items.push(...page.body.items);
        if (page.body.nextCursor === undefined) break;
        before = page.body.nextCursor;
      }
      if (items.length >= expected) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return items.reverse();
  }

  it('covers every plugin and more than a handful of operations', () => {
    expect(new Set(operations.map(o => o.plugin))).toEqual(new Set(PLUGINS));
    expect(operations.length).toBeGreaterThan(90);
    for (const listed of [
      ...PUBLIC,
      ...OWN_RECORDS,
      ...SERVICE_ONLY,
      ...READ_LIKE,
    ]) {
      expect(operations.map(key)).toContain(listed);
    }
  });

  it('lets an admin through to validation on every operation (the requests are invalid)', async () => {
    const statuses: Record<string, number> = {};
    for (const o of operations) {
      statuses[key(o)] = await call(o, alice);
    }
    expect(statuses).toEqual(
      Object.fromEntries(
        operations.map(o => [key(o), SERVICE_ONLY.has(key(o)) ? 403 : 400]),
      ),
    );
  });

  it('answers 403, not 400, to a viewer on every mutating operation, each 403 audited', async () => {
    const erin = mockCredentials.user.header('user:default/erin');
    const mutating = operations.filter(
      o => o.method !== 'GET' && !READ_LIKE.has(key(o)) && !PUBLIC.has(key(o)),
    );
    expect(mutating.length).toBeGreaterThan(40);
    const statuses: Record<string, number> = {};
    for (const o of mutating) statuses[key(o)] = await call(o, erin);
    expect(statuses).toEqual(
      Object.fromEntries(mutating.map(o => [key(o), 403])),
    );

    // a read-like POST answers the viewer as it answers a reader who may
    const readLike: Record<string, [number, number]> = {};
    for (const o of operations.filter(x => READ_LIKE.has(key(x)))) {
      readLike[key(o)] = [await call(o, erin), await call(o, alice)];
    }
    expect(readLike).toEqual({
      'jobs POST /hosts/preview': [400, 400],
      'sql POST /instances/check': [400, 400],
      'sql POST /review': [400, 400],
      // the viewer role has no slow-query or console permission
      'sql POST /slow-queries/refresh': [403, 400],
      'sql POST /query': [403, 400],
      'sql POST /query/export': [403, 400],
      'tickets POST /tickets/{id}/account-check': [400, 400],
    });

    const denials = await denialsOf('user:default/erin', mutating.length + 3);
    expect(denials.map(e => [e.target, e.outcome, e.actor, e.action])).toEqual(
      [
        ...mutating,
        ...operations.filter(o =>
          [
            'sql POST /slow-queries/refresh',
            'sql POST /query',
            'sql POST /query/export',
          ].includes(key(o)),
        ),
      ].map(o => [urlOf(o), 'denied', 'user:default/erin', 'access-denied']),
    );
  });

  it('answers 403 to a user without any role on every operation but sign-in and their own records', async () => {
    const victor = mockCredentials.user.header('user:default/victor');
    const guarded = operations.filter(
      o => !PUBLIC.has(key(o)) && !OWN_RECORDS.has(key(o)),
    );
    const statuses: Record<string, number> = {};
    for (const o of guarded) statuses[key(o)] = await call(o, victor);
    expect(statuses).toEqual(
      Object.fromEntries(guarded.map(o => [key(o), 403])),
    );
    const denials = await denialsOf('user:default/victor', guarded.length);
    expect(denials.map(e => e.target)).toEqual(guarded.map(urlOf));
    expect(new Set(denials.map(e => e.plugin))).toEqual(new Set(PLUGINS));
  });
});
