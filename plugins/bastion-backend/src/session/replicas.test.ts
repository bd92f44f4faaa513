/*
 * Several backend instances on one database (PostgreSQL when available, as in CI):
 * the live list, terminate, watch and heartbeat cleanup across instances, with real sshd.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The sshd test helpers of the SSH core (not part of its public API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/src/__testUtils__/sshdHosts';
import type { Knex } from 'knex';
import type { BastionConfig } from '../config';
import { DatabaseBastionStore } from '../database/DatabaseBastionStore';
import { MfaService } from '../mfa/MfaService';
import type { BastionStore } from '../database/BastionStore';
import type { ServerMessage, SessionClient } from './protocol';
import {
  INTERRUPTED,
  SessionElsewhereError,
  SessionManager,
} from './SessionManager';

jest.setTimeout(120_000);

// replicas share a database server: PostgreSQL where it is available (CI, developers with the
// test services running); SQLite otherwise, which at least runs the logic
const ids =
  process.env.OPSDECK_REQUIRE_POSTGRES_TESTS ||
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? (['POSTGRES_15'] as const)
    : (['SQLITE_3'] as const);
const databases = TestDatabases.create({ ids: [...ids] });
let sshd: SshdHosts;
let pool: SshConnectionPool;
const managers: SessionManager[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  pool = new SshConnectionPool();
});

// stop every instance's ticker before the test databases shut down
afterEach(() => {
  for (const m of managers.splice(0)) m.closeAll('test end');
});

afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
});

class Client implements SessionClient {
  messages: ServerMessage[] = [];
  closed = false;
  send(m: ServerMessage) {
    this.messages.push(m);
  }
  close() {
    this.closed = true;
  }
  get output() {
    return this.messages.map(m => (m.type === 'output' ? m.data : '')).join('');
  }
}

async function until(test: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + 20_000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** One backend instance: its own store object and manager on the shared database. */
async function instance(
  knex: Knex,
  instanceId: string,
  recordingsDir: string,
  wrapStore: (s: BastionStore) => BastionStore = s => s,
) {
  const store = await DatabaseBastionStore.create({
    database: mockServices.database({ knex }),
  });
  const config: BastionConfig = {
    recordingsDir,
    idleTimeoutSeconds: 900,
    maxSessionSeconds: 3600,
    grantCheckSeconds: 3600,
    instanceId,
    heartbeatSeconds: 1,
    staleSeconds: 3,
    mfa: {
      requiredEnvironments: [],
      windowMinutes: 15,
      maxFailures: 5,
      lockMinutes: 5,
    },
  };
  const host = {
    name: 'app-01',
    entityRef: 'resource:default/app-01',
    address: sshd.hosts[0].host,
    port: sshd.hosts[0].port,
    environment: 'staging',
    tags: [],
  };
  const manager = new SessionManager({
    store: wrapStore(store),
    ssh: pool,
    hosts: { getHost: async name => (name === host.name ? host : undefined) },
    credentials: async (_h, loginUser) => ({
      username: loginUser,
      privateKey: sshd.privateKeyText,
    }),
    mfa: new MfaService(store, config.mfa),
    config,
    logger: mockServices.logger.mock(),
  });
  managers.push(manager);
  return { store, manager };
}

const frank = {
  userRef: 'user:default/frank',
  ownershipRefs: ['user:default/frank'],
  hostName: 'app-01',
  cols: 80,
  rows: 24,
};

describe.each([...ids])('bastion replicas on one database (%s)', id => {
  it('lists, watches and terminates a session of instance A from instance B', async () => {
    const knex = await databases.init(id);
    const shared = mkdtempSync(join(tmpdir(), 'bastion-shared-'));
    const a = await instance(knex, 'A', shared);
    const b = await instance(knex, 'B', shared);
    const c = await instance(
      knex,
      'C',
      mkdtempSync(join(tmpdir(), 'bastion-own-')),
    );
    await a.store.createGrant({
      subject: 'user:default/frank',
      selector: { host: 'app-01' },
      loginUser: sshd.user,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      createdBy: 'user:default/alice',
    });
    const term = new Client();
    const session = await a.manager.open(frank, term);
    a.manager.input(session.id, 'echo before-$((2*3))\r');
    await until(() => term.output.includes('before-6'), 'echo on A');

    // B lists it as another instance's session
    expect(await b.manager.listAll()).toEqual([
      expect.objectContaining({
        id: session.id,
        instanceId: 'A',
        local: false,
      }),
    ]);
    expect((await a.manager.listAll())[0]).toMatchObject({
      id: session.id,
      local: true,
      watchers: 0,
    });

    // B shares the recordings directory: it follows the session through the recording
    const watcher = new Client();
    const stop = await b.manager.watchRemote(session.id, watcher);
    await until(() => watcher.output.includes('before-6'), 'history on B');
    a.manager.input(session.id, 'echo during-$((3*4))\r');
    await until(() => watcher.output.includes('during-12'), 'live output on B');
    // C does not: a clear refusal that names the owner
    const refused = await c.manager
      .watchRemote(session.id, new Client())
      .catch(e => e);
    expect(refused).toBeInstanceOf(SessionElsewhereError);
    expect(refused.code).toBe('elsewhere');
    expect(refused.message).toContain('instance A');

    // terminate from B: a request in the database that A carries out at its next poll
    expect(
      await b.manager.terminateAnywhere(
        session.id,
        'Terminated by user:default/alice',
      ),
    ).toEqual({ done: 'requested', instanceId: 'A' });
    await until(() => term.closed, 'A ends the session');
    expect(term.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'Terminated by user:default/alice',
    });
    await until(() => watcher.closed, 'B watcher closed');
    expect(watcher.messages.at(-1)).toEqual({
      type: 'closed',
      reason: 'Terminated by user:default/alice',
    });
    stop();
    await until(
      async () => (await b.manager.listAll()).length === 0,
      'list empty',
    );
    expect(
      await b.manager.terminateAnywhere(session.id, 'again'),
    ).toBeUndefined();
  });

  it('ends the sessions of an instance whose heartbeat stopped as interrupted', async () => {
    const knex = await databases.init(id);
    const dir = mkdtempSync(join(tmpdir(), 'bastion-hb-'));
    let alive = true;
    // instance A's heartbeats stop (as when its process hangs or is killed); its shell stays
    const a = await instance(knex, 'A', dir, store =>
      Object.assign(Object.create(store), {
        heartbeat: (instanceId: string, sessionIds: string[]) =>
          alive ? store.heartbeat(instanceId, sessionIds) : Promise.resolve(),
        // a frozen instance does no cleanup either: B is the one that notices
        endStaleSessions: (before: number, reason: string) =>
          alive ? store.endStaleSessions(before, reason) : Promise.resolve([]),
      }),
    );
    const b = await instance(knex, 'B', dir);
    await a.store.createGrant({
      subject: 'user:default/frank',
      selector: { host: 'app-01' },
      loginUser: sshd.user,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      createdBy: 'user:default/alice',
    });
    const term = new Client();
    const session = await a.manager.open(frank, term);
    // alive for longer than the stale limit while heartbeats go on
    await new Promise(r => setTimeout(r, 4_000));
    expect((await a.store.getSession(session.id))!.endedAt).toBeUndefined();
    expect((await b.manager.listAll()).map(s => s.id)).toEqual([session.id]);

    alive = false;
    await until(
      async () => !!(await b.store.getSession(session.id))!.endedAt,
      'B ends the stale session',
    );
    expect(await b.store.getSession(session.id)).toMatchObject({
      endReason: INTERRUPTED,
      instanceId: 'A',
    });
    expect(INTERRUPTED).toBe('interrupted: backend stopped');
    expect(await b.manager.listAll()).toEqual([]);

    // when A is heard from again, it closes the shell the others gave up on
    alive = true;
    await until(() => term.closed, 'A closes the interrupted session');
    expect(term.messages.at(-1)).toEqual({
      type: 'closed',
      reason: INTERRUPTED,
    });
    expect(a.manager.isLive(session.id)).toBe(false);
  });
});
