/*
 * "Collect all / selected" (POST /collect) and collection when a credential is
 * saved (the vault's credential-saved event), against real OpenSSH servers
 * (scripts/services/sshd-hosts.sh), on SQLite and PostgreSQL.
 */
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  eventsServiceFactory,
  eventsServiceRef,
  type EventsService,
} from '@backstage/plugin-events-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import {
  VAULT_CREDENTIAL_SAVED_TOPIC,
  vaultServiceRef,
} from '@opsdeck/plugin-vault-node';
import request from 'supertest';
import { Knex } from 'knex';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import { cmdbHubServiceFactory } from '../catalog/cmdbHub';
import { cmdbPlugin } from '../plugin';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');

let sshd: SshdHosts;
let closedPort: number;

beforeAll(async () => {
  sshd = await startSshdHosts(2);
  closedPort = await findFreePortRange(1);
});

afterAll(async () => {
  await sshd?.stop();
});

async function startBackend(
  knex: Knex,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const audits: { eventId: string; meta?: any; status: string }[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async opts => {
      const record = { eventId: opts.eventId, meta: opts.meta, status: '' };
      audits.push(record);
      return {
        success: async ({ meta }: { meta?: any } = {}) => {
          record.status = 'succeeded';
          record.meta = { ...record.meta, ...meta };
        },
        fail: async () => {
          record.status = 'failed';
        },
      };
    }) as any,
  });
  // who the vault was asked for secrets on behalf of
  const asked: { name: string; actor?: string }[] = [];
  const getSecret = jest.fn(async (name: string, use: any) => {
    asked.push({ name, actor: use.actor });
    if (name !== 'sshd-test' && name !== 'other') {
      throw new Error(`No credential ${name}`);
    }
    return {
      type: 'ssh-key' as const,
      username: sshd.user,
      privateKey: sshd.privateKeyText,
    };
  });
  let events: EventsService | undefined;
  // stands in for the vault plugin: publishes what it would after a save
  const publisher = createBackendPlugin({
    pluginId: 'vault-events-probe',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init(deps) {
          events = deps.events;
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      cmdbPlugin,
      cmdbHubServiceFactory,
      publisher,
      // the real in-process events service (startTestBackend's mock delivers nothing)
      eventsServiceFactory,
      mockServices.database.factory({ knex }),
      mockServices.permissions.mock({
        authorize: (async (reqs: unknown[]) =>
          reqs.map(() => ({ result }))) as any,
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          opsdeck: {
            cmdb: { facts: { initialDelaySeconds: 3600, timeoutMs: 15_000 } },
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
  return { server: backend.server, audits, asked, events: () => events! };
}

function host(name: string, port: number, credential = 'sshd-test') {
  return newHostRecord({
    name,
    address: '127.0.0.1',
    port,
    loginUser: sshd.user,
    credential,
    environment: 'test',
    owner: 'ops',
  } as any);
}

describe.each(databases.eachSupportedId())('collect (%s)', databaseId => {
  let knex: Knex;
  let store: DatabaseHostStore;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(host('lab-01', sshd.hosts[0].port));
    await store.insert(host('lab-02', sshd.hosts[1].port));
    await store.insert(host('lab-down', closedPort));
    await store.insert(host('lab-other', sshd.hosts[0].port, 'other'));
  });

  it('collects every host with one result each, audited as the person', async () => {
    const { server, audits, asked } = await startBackend(knex);
    const res = await request(server)
      .post('/api/cmdb/collect')
      .set('Authorization', alice)
      .send({});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hosts: 4, reachable: 3, unreachable: 1 });
    const byName = Object.fromEntries(
      res.body.items.map((i: any) => [i.name, i]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'lab-01',
      'lab-02',
      'lab-down',
      'lab-other',
    ]);
    expect(byName['lab-01']).toEqual({ name: 'lab-01', reachable: true });
    expect(byName['lab-down']).toMatchObject({
      reachable: false,
      error: expect.stringContaining(`127.0.0.1:${closedPort}`),
    });
    expect((await store.get('lab-02'))?.os).toEqual(expect.any(String));
    expect(asked.every(a => a.actor === 'user:default/alice')).toBe(true);
    expect(audits).toEqual([
      {
        eventId: 'host-collect-many',
        status: 'succeeded',
        meta: expect.objectContaining({
          hosts: 'all',
          collected: 4,
          reachable: 3,
          unreachable: ['lab-down'],
        }),
      },
    ]);
  });

  it('collects only the selected hosts and refuses unknown names', async () => {
    const { server } = await startBackend(knex);
    const res = await request(server)
      .post('/api/cmdb/collect')
      .set('Authorization', alice)
      .send({ names: ['lab-02'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      hosts: 1,
      reachable: 1,
      unreachable: 0,
      items: [{ name: 'lab-02', reachable: true }],
    });
    expect((await store.get('lab-02'))?.reachable).toBe(true);
    expect((await store.get('lab-01'))?.collectedAt).toBeUndefined();
    const missing = await request(server)
      .post('/api/cmdb/collect')
      .set('Authorization', alice)
      .send({ names: ['lab-02', 'nope'] });
    expect(missing.status).toBe(404);
    const bad = await request(server)
      .post('/api/cmdb/collect')
      .set('Authorization', alice)
      .send({ names: [] });
    expect(bad.status).toBe(400);
  });

  it('refuses without opsdeck.cmdb.host.collect and touches no host', async () => {
    const { server, asked } = await startBackend(knex, AuthorizeResult.DENY);
    const res = await request(server)
      .post('/api/cmdb/collect')
      .set('Authorization', alice)
      .send({});
    expect(res.status).toBe(403);
    expect(asked).toEqual([]);
    expect((await store.get('lab-01'))?.collectedAt).toBeUndefined();
  });

  it('collects the hosts using a credential when it is saved, for the person who saved it', async () => {
    const { events, asked } = await startBackend(knex);
    await events().publish({
      topic: VAULT_CREDENTIAL_SAVED_TOPIC,
      eventPayload: { name: 'sshd-test', actor: 'user:default/bob' },
    });
    const collected = async () =>
      (
        await Promise.all(
          ['lab-01', 'lab-02', 'lab-down'].map(n => store.get(n)),
        )
      ).every(h => h?.collectedAt);
    for (let i = 0; i < 300 && !(await collected()); i++) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(await store.get('lab-01')).toMatchObject({ reachable: true });
    expect(await store.get('lab-02')).toMatchObject({ reachable: true });
    expect(await store.get('lab-down')).toMatchObject({ reachable: false });
    // a host with another credential is left alone
    expect((await store.get('lab-other'))?.collectedAt).toBeUndefined();
    expect(asked.length).toBeGreaterThan(0);
    expect(asked).toEqual(
      asked.map(() => ({ name: 'sshd-test', actor: 'user:default/bob' })),
    );
  });
});
