// Shared setup of the cmdb router tests (router.*.test.ts): a test backend around
// cmdbPlugin with recorded audit events, three seeded hosts, the route table and,
// for the tests that reach hosts, a real sshd (remote-node's test kit).
import {
  BackendFeature,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import type { Server } from 'node:http';
import request from 'supertest';
import { DatabaseHostStore } from '../../database/DatabaseHostStore';
import { newHostRecord } from '../../model/hosts';
import { cmdbHubServiceFactory } from '../../catalog/cmdbHub';
import { cmdbPlugin } from '../../plugin';

export const alice = mockCredentials.user.header('user:default/alice');

type AuditRecord = {
  eventId: string;
  meta?: Record<string, unknown>;
  status: string;
  error?: string;
};

export const routes: [string, string, object?][] = [
  ['get', '/hosts'],
  ['get', '/hosts/export.csv'],
  ['get', '/hosts/web-01'],
  ['post', '/hosts', { hosts: [sshHostStub()] }],
  ['delete', '/hosts/web-01'],
  ['post', '/hosts/web-01/collect'],
  ['get', '/hosts/web-01/host-key'],
  ['delete', '/hosts/web-01/host-key'],
];
export function sshHostStub() {
  return {
    name: 'new-01',
    address: '192.0.2.1',
    environment: 'test',
    owner: 'ops',
  };
}
export function call(
  server: any,
  [method, path, body]: [string, string, object?],
  auth: string,
) {
  const r = (request(server) as any)
    [method](`/api/cmdb${path}`)
    .set('Authorization', auth);
  return body ? r.send(body) : r;
}

/**
 * Call inside the test file's describe. Before each test: a fresh SQLite database
 * (`ctx.knex`) whose host store (`ctx.store`) holds web-01 (with facts), gw-01 (from
 * the catalog) and build-01. With `sshd: true`, one real sshd host for the whole file
 * (`ctx.sshd`) and a closed port (`ctx.closedPort`).
 */
export function cmdbRouterTest(setup: { sshd?: boolean } = {}) {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const ctx = {} as {
    knex: Knex;
    store: DatabaseHostStore;
    sshd: SshdHosts;
    closedPort: number;
  };

  if (setup.sshd) {
    beforeAll(async () => {
      ctx.sshd = await startSshdHosts(1);
      ctx.closedPort = await findFreePortRange(1);
    });

    afterAll(async () => {
      await ctx.sshd?.stop();
    });
  }

  beforeEach(async () => {
    ctx.knex = await databases.init('SQLITE_3');
    ctx.store = await DatabaseHostStore.create({
      database: mockServices.database({ knex: ctx.knex }),
    });
    await ctx.store.insert(
      newHostRecord({
        name: 'web-01',
        address: '198.51.100.11',
        environment: 'prod',
        owner: 'ops',
        system: 'storefront',
        tags: ['nginx', 'web'],
        description: 'front, "main"',
      }),
    );
    await ctx.store.insert({
      ...newHostRecord({
        name: 'gw-01',
        address: '198.51.100.5',
        environment: 'prod',
        owner: 'ops',
        tags: ['gateway'],
      }),
      source: 'catalog',
    });
    await ctx.store.insert(
      newHostRecord({
        name: 'build-01',
        address: 'build-01.example.com',
        environment: 'dev',
        owner: 'dev',
        tags: [],
      }),
    );
    await ctx.store.recordFacts('web-01', {
      reachable: true,
      facts: { os: 'Debian 12', uptimeSeconds: 100 },
    });
  });

  async function startBackend(options: {
    knex: Knex;
    result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    /** backend.database: where remote-node keeps its host-key pins (else in memory). */
    database?: { client: string; connection: { directory: string } };
    /** More features of the same backend (the catalog module). */
    features?: BackendFeature[];
    /** Extension points those features use (the catalog's). */
    extensionPoints?: Parameters<typeof startTestBackend>[0]['extensionPoints'];
  }) {
    const authorize = jest.fn(async (requests: unknown[]) =>
      requests.map(
        (): PolicyDecision => ({
          result: options.result ?? AuthorizeResult.ALLOW,
        }),
      ),
    );
    const audits: AuditRecord[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async opts => {
        const record: AuditRecord = {
          eventId: opts.eventId,
          meta: opts.meta,
          status: 'initiated',
        };
        audits.push(record);
        return {
          success: async () => {
            record.status = 'succeeded';
          },
          fail: async ({ error }: { error: Error }) => {
            record.status = 'failed';
            record.error = error.message;
          },
        };
      }) as any,
    });
    const getSecret = jest.fn(async (name: string) => {
      if (name !== 'sshd-test') throw new Error(`No credential ${name}`);
      return {
        type: 'ssh-key' as const,
        username: ctx.sshd.user,
        privateKey: ctx.sshd.privateKeyText,
      };
    });
    const backend = await startTestBackend({
      extensionPoints: options.extensionPoints,
      features: [
        ...(options.features ?? []),
        cmdbPlugin,
        cmdbHubServiceFactory,
        mockServices.database.factory({ knex: options.knex }),
        mockServices.permissions.mock({ authorize: authorize as any }).factory,
        mockServices.rootConfig.factory({
          data: {
            ...(options.database
              ? { backend: { database: options.database } }
              : {}),
            opsdeck: {
              cmdb: {
                facts: { initialDelaySeconds: 3600, timeoutMs: 15_000 },
              },
              remoteNode: { connectTimeoutMs: 5_000 },
            },
          },
        }),
        auditor.factory,
        catalogServiceMock.factory(),
        createServiceFactory({
          service: vaultServiceRef,
          deps: {},
          factory: () => ({ getSecret }),
        }),
      ],
    });
    return {
      server: backend.server as Server,
      stop: () => backend.stop(),
      authorize,
      audits,
      getSecret,
    };
  }

  function sshHost(name: string, port = ctx.sshd.hosts[0].port) {
    return {
      name,
      address: '127.0.0.1',
      port,
      credential: 'sshd-test',
      environment: 'test',
      owner: 'ops',
      system: 'platform',
      tags: ['lab'],
    };
  }

  return { ctx, startBackend, sshHost };
}
