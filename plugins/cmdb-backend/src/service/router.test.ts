import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceFactory } from '@backstage/backend-plugin-api';
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
import {
  cmdbHostCollectPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostKeyResetPermission,
  cmdbHostReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { Knex } from 'knex';
import request from 'supertest';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import { cmdbPlugin } from '../plugin';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');

let sshd: SshdHosts;
let closedPort: number;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  closedPort = await findFreePortRange(1);
});

afterAll(async () => {
  await sshd?.stop();
});

type AuditRecord = {
  eventId: string;
  meta?: Record<string, unknown>;
  status: string;
  error?: string;
};

async function startBackend(options: {
  knex: Knex;
  result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  /** backend.database: where remote-node keeps its host-key pins (else in memory). */
  database?: { client: string; connection: { directory: string } };
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
      username: sshd.user,
      privateKey: sshd.privateKeyText,
    };
  });
  const backend = await startTestBackend({
    features: [
      cmdbPlugin,
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
    server: backend.server,
    stop: () => backend.stop(),
    authorize,
    audits,
    getSecret,
  };
}

function sshHost(name: string, port = sshd.hosts[0].port) {
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

describe('cmdb router', () => {
  let knex: Knex;
  let store: DatabaseHostStore;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(
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
    await store.insert({
      ...newHostRecord({
        name: 'gw-01',
        address: '198.51.100.5',
        environment: 'prod',
        owner: 'ops',
        tags: ['gateway'],
      }),
      source: 'catalog',
    });
    await store.insert(
      newHostRecord({
        name: 'build-01',
        address: 'build-01.example.com',
        environment: 'dev',
        owner: 'dev',
        tags: [],
      }),
    );
    await store.recordFacts('web-01', {
      reachable: true,
      facts: { os: 'Debian 12', uptimeSeconds: 100 },
    });
  });

  const routes: [string, string, object?][] = [
    ['get', '/hosts'],
    ['get', '/hosts/export.csv'],
    ['get', '/hosts/web-01'],
    ['post', '/hosts', { hosts: [sshHostStub()] }],
    ['delete', '/hosts/web-01'],
    ['post', '/hosts/web-01/collect'],
    ['get', '/hosts/web-01/host-key'],
    ['delete', '/hosts/web-01/host-key'],
  ];
  function sshHostStub() {
    return {
      name: 'new-01',
      address: '192.0.2.1',
      environment: 'test',
      owner: 'ops',
    };
  }
  function call(
    server: any,
    [method, path, body]: [string, string, object?],
    auth: string,
  ) {
    const r = (request(server) as any)
      [method](`/api/cmdb${path}`)
      .set('Authorization', auth);
    return body ? r.send(body) : r;
  }

  it('rejects unauthenticated requests with 401', async () => {
    const { server, authorize } = await startBackend({ knex });
    for (const route of routes) {
      const res = await call(server, route, mockCredentials.none.header());
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
    expect(authorize).not.toHaveBeenCalled();
  });

  it('returns 403 when the permission is denied, checking the right one', async () => {
    const { server, authorize, audits } = await startBackend({
      knex,
      result: AuthorizeResult.DENY,
    });
    const expected = [
      cmdbHostReadPermission,
      cmdbHostReadPermission,
      cmdbHostReadPermission,
      cmdbHostCreatePermission,
      cmdbHostDeletePermission,
      cmdbHostCollectPermission,
      cmdbHostReadPermission,
      cmdbHostKeyResetPermission,
    ];
    for (const [i, route] of routes.entries()) {
      authorize.mockClear();
      const res = await call(server, route, alice);
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(authorize).toHaveBeenCalledWith(
        [{ permission: expected[i] }],
        expect.anything(),
      );
    }
    // every refusal is an audit event naming the route and the permission
    expect(audits).toEqual(
      routes.map(([method, path], i) => ({
        eventId: 'access-denied',
        status: 'failed',
        error: expect.stringContaining(expected[i].name),
        meta: expect.objectContaining({
          target: `/api/cmdb${path}`,
          method: method.toUpperCase(),
          permission: expected[i].name,
        }),
      })),
    );
    expect(await store.getRecord('web-01')).toBeDefined();
  });

  it('answers 403 before validating, whatever the body', async () => {
    const { server, audits } = await startBackend({
      knex,
      result: AuthorizeResult.DENY,
    });
    for (const body of ['{"hosts": "nope"', '{"hosts": [{"name": 1}]}']) {
      const res = await request(server)
        .post('/api/cmdb/hosts?unknown=1')
        .set('Authorization', alice)
        .set('Content-Type', 'application/json')
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 403 });
    }
    expect(audits.map(a => a.eventId)).toEqual([
      'access-denied',
      'access-denied',
    ]);
  });

  it('lists hosts with filters and keyset paging; 400 on bad queries', async () => {
    const { server } = await startBackend({ knex });
    const get = (query: string) =>
      request(server)
        .get(`/api/cmdb/hosts?${query}`)
        .set('Authorization', alice);

    const p1 = await get('limit=2');
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((h: any) => h.name)).toEqual([
      'build-01',
      'gw-01',
    ]);
    expect(p1.body.total).toBe(3);
    expect(p1.body.nextCursor).toBe('gw-01');
    const p2 = await get(`limit=2&after=${p1.body.nextCursor}`);
    expect(p2.body).toEqual({
      items: [
        {
          name: 'web-01',
          entityRef: 'resource:default/web-01',
          address: '198.51.100.11',
          port: 22,
          environment: 'prod',
          owner: 'ops',
          system: 'storefront',
          tags: ['nginx', 'web'],
          source: 'cmdb',
          reachable: true,
          os: 'Debian 12',
          uptimeSeconds: 100,
          collectedAt: expect.any(String),
        },
      ],
    });
    const names = async (q: string) =>
      (await get(q)).body.items.map((h: any) => h.name);
    expect(await names('environment=prod')).toEqual(['gw-01', 'web-01']);
    expect(await names('tag=gateway')).toEqual(['gw-01']);
    expect(await names('reachable=unknown')).toEqual(['build-01', 'gw-01']);
    expect(await names('reachable=true&q=WEB')).toEqual(['web-01']);
    expect(await names('owner=dev')).toEqual(['build-01']);

    for (const q of [
      'limit=501',
      'limit=0',
      'environment=qa',
      'reachable=yes',
    ]) {
      expect({ q, status: (await get(q)).status }).toEqual({ q, status: 400 });
    }
  });

  it('gets one host with facts, 404 when missing', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'web-01',
      description: 'front, "main"',
      lastOkAt: expect.any(String),
    });
    const missing = await request(server)
      .get('/api/cmdb/hosts/nope')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
  });

  it('exports matching hosts as CSV', async () => {
    const { server } = await startBackend({ knex });
    const res = await request(server)
      .get('/api/cmdb/hosts/export.csv?environment=prod')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('hosts.csv');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toEqual([
      'name,entityRef,address,port,loginUser,credential,environment,owner,system,tags,source,reachable,error,os,uptimeSeconds,collectedAt',
      'gw-01,resource:default/gw-01,198.51.100.5,22,,,prod,ops,,gateway,catalog,,,,,',
      expect.stringMatching(
        /^web-01,resource:default\/web-01,198\.51\.100\.11,22,,,prod,ops,storefront,nginx web,cmdb,true,,Debian 12,100,\d{4}-\d\d-\d\dT[\d:.]+Z$/,
      ),
    ]);
  });

  it('registers hosts, checking reachability against real sshd', async () => {
    const { server, audits } = await startBackend({ knex });
    const res = await request(server)
      .post('/api/cmdb/hosts')
      .set('Authorization', alice)
      .send({
        checkReachability: true,
        hosts: [
          sshHost('lab-01'),
          sshHost('lab-closed', closedPort),
          { ...sshHost('lab-bad'), address: '192.0.2.300' },
          { ...sshHost('lab-cred'), credential: 'Bad Name!' },
          sshHost('web-01'),
          sshHost('gw-01'),
        ],
      });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 200,
    });
    expect(res.body.results).toEqual([
      {
        name: 'lab-01',
        status: 'created',
        entityRef: 'resource:default/lab-01',
      },
      {
        name: 'lab-closed',
        status: 'unreachable',
        message: expect.stringContaining(`Not added: SSH connection failed:`),
      },
      {
        name: 'lab-bad',
        status: 'invalid',
        message: expect.stringContaining("invalid address '192.0.2.300'"),
      },
      {
        name: 'lab-cred',
        status: 'invalid',
        message: expect.stringContaining(
          "malformed credential name 'Bad Name!'",
        ),
      },
      {
        name: 'web-01',
        status: 'exists',
        entityRef: 'resource:default/web-01',
        message: 'A host with this name is already registered',
      },
      {
        name: 'gw-01',
        status: 'exists',
        entityRef: 'resource:default/gw-01',
        message: 'A host with this name is already defined in the catalog',
      },
    ]);
    expect(res.body.results[1].message).toContain(`127.0.0.1:${closedPort}`);

    // the reachable host is in the index with the facts found while checking
    const lab = await request(server)
      .get('/api/cmdb/hosts/lab-01')
      .set('Authorization', alice);
    expect(lab.body).toMatchObject({
      name: 'lab-01',
      source: 'cmdb',
      port: sshd.hosts[0].port,
      credential: 'sshd-test',
      reachable: true,
      kernel: expect.any(String),
    });
    expect(
      (
        await request(server)
          .get('/api/cmdb/hosts/lab-closed')
          .set('Authorization', alice)
      ).status,
    ).toBe(404);
    expect(audits).toEqual([
      {
        eventId: 'host-register',
        status: 'succeeded',
        meta: expect.objectContaining({ entityRef: 'resource:default/lab-01' }),
      },
    ]);

    // without the check a host is added as given (port defaults to 22)
    const plain = await request(server)
      .post('/api/cmdb/hosts')
      .set('Authorization', alice)
      .send({ hosts: [{ ...sshHostStub(), name: 'plain-01' }] });
    expect(plain.body.results).toEqual([
      {
        name: 'plain-01',
        status: 'created',
        entityRef: 'resource:default/plain-01',
      },
    ]);
    expect(await store.get('plain-01')).toMatchObject({
      port: 22,
      reachable: null,
    });

    // body validated against the schema
    for (const body of [
      {},
      { hosts: [] },
      { hosts: [{ ...sshHostStub(), port: 70000 }] },
      { hosts: [{ ...sshHostStub(), environment: 'qa' }] },
      { hosts: [{ ...sshHostStub(), extra: 1 }] },
    ]) {
      const bad = await request(server)
        .post('/api/cmdb/hosts')
        .set('Authorization', alice)
        .send(body);
      expect({ body, status: bad.status }).toEqual({ body, status: 400 });
    }
  });

  it('decommissions CMDB hosts only, with an audit event', async () => {
    const { server, audits } = await startBackend({ knex });
    const del = await request(server)
      .delete('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(del.status).toBe(204);
    expect(await store.getRecord('web-01')).toBeUndefined();
    expect(await knex('host_facts').where('name', 'web-01')).toEqual([]);

    const again = await request(server)
      .delete('/api/cmdb/hosts/web-01')
      .set('Authorization', alice);
    expect(again.status).toBe(404);

    const fromCatalog = await request(server)
      .delete('/api/cmdb/hosts/gw-01')
      .set('Authorization', alice);
    expect(fromCatalog.status).toBe(409);
    expect(fromCatalog.body.error.message).toContain('defined in the catalog');
    expect(await store.getRecord('gw-01')).toBeDefined();

    expect(audits).toEqual([
      {
        eventId: 'host-decommission',
        status: 'succeeded',
        meta: expect.objectContaining({ target: 'resource:default/web-01' }),
      },
      {
        eventId: 'host-decommission',
        status: 'failed',
        error: expect.stringContaining('defined in the catalog'),
        meta: expect.objectContaining({ target: 'resource:default/gw-01' }),
      },
    ]);
  });

  it('collects one host now', async () => {
    const { server, audits } = await startBackend({ knex });
    await store.insert(newHostRecord({ ...sshHost('lab-02') } as any));
    await store.insert(
      newHostRecord({ ...sshHost('lab-down', closedPort) } as any),
    );
    const ok = await request(server)
      .post('/api/cmdb/hosts/lab-02/collect')
      .set('Authorization', alice);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      name: 'lab-02',
      reachable: true,
      os: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
    const down = await request(server)
      .post('/api/cmdb/hosts/lab-down/collect')
      .set('Authorization', alice);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      name: 'lab-down',
      reachable: false,
      error: expect.stringContaining(`127.0.0.1:${closedPort}`),
    });
    const missing = await request(server)
      .post('/api/cmdb/hosts/nope/collect')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
    expect(audits.map(a => [a.eventId, a.meta?.target])).toEqual([
      ['host-collect', 'resource:default/lab-02'],
      ['host-collect', 'resource:default/lab-down'],
    ]);
  });

  // last: it gives the shared sshd host a new key
  it('keeps the pinned host key across a restart and lets an admin reset it after a rekey', async () => {
    const pins = mkdtempSync(join(tmpdir(), 'cmdb-host-keys-'));
    const database = {
      client: 'better-sqlite3',
      connection: { directory: pins },
    };
    await store.insert(newHostRecord({ ...sshHost('lab-03') } as any));
    const hostId = `[127.0.0.1]:${sshd.hosts[0].port}`;
    const keyOf = (server: any) =>
      request(server)
        .get('/api/cmdb/hosts/lab-03/host-key')
        .set('Authorization', alice);
    const collect = (server: any) =>
      request(server)
        .post('/api/cmdb/hosts/lab-03/collect')
        .set('Authorization', alice);

    try {
      const first = await startBackend({ knex, database });
      expect((await keyOf(first.server)).body).toEqual({ hostId });
      expect((await collect(first.server)).body.reachable).toBe(true);
      expect((await keyOf(first.server)).body).toEqual({
        hostId,
        fingerprint: sshd.hosts[0].hostKeyFingerprint,
      });
      await first.stop();

      // the host is reinstalled while opsdeck restarts
      const changed = await sshd.rekey(sshd.hosts[0].port);
      const { server, audits, stop } = await startBackend({ knex, database });
      try {
        expect((await keyOf(server)).body).toEqual({
          hostId,
          fingerprint: sshd.hosts[0].hostKeyFingerprint,
        });
        const refused = (await collect(server)).body;
        expect(refused.reachable).toBe(false);
        expect(refused.error).toContain(`Host key of ${hostId} has changed`);

        const reset = await request(server)
          .delete('/api/cmdb/hosts/lab-03/host-key')
          .set('Authorization', alice);
        expect(reset.status).toBe(204);
        expect((await keyOf(server)).body).toEqual({ hostId });
        expect((await collect(server)).body.reachable).toBe(true);
        expect((await keyOf(server)).body).toEqual({
          hostId,
          fingerprint: changed,
        });

        const missing = await request(server)
          .delete('/api/cmdb/hosts/nope/host-key')
          .set('Authorization', alice);
        expect(missing.status).toBe(404);
        expect(audits.filter(a => a.eventId === 'host-key-reset')).toEqual([
          {
            eventId: 'host-key-reset',
            status: 'succeeded',
            meta: { target: 'resource:default/lab-03', hostId },
          },
        ]);
      } finally {
        await stop();
      }
    } finally {
      rmSync(pins, { recursive: true, force: true });
    }
  });
});
