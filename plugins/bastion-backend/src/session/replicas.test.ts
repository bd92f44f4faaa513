/*
 * Several backend instances on one database (PostgreSQL when available, as in CI):
 * the live list, terminate, watch and heartbeat cleanup across instances, with real sshd.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import type { Knex } from 'knex';
import type { BastionStore } from '../database/BastionStore';
import {
  createTestManager,
  grantOn,
  RecordingClient,
  testConfig,
  testHost,
  until,
} from './__testUtils__/sessions';
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

/** One backend instance: its own store object and manager on the shared database. */
async function instance(
  knex: Knex,
  instanceId: string,
  recordingsDir: string,
  wrapStore?: (s: BastionStore) => BastionStore,
) {
  const created = await createTestManager({
    knex,
    config: testConfig({
      recordingsDir,
      instanceId,
      heartbeatSeconds: 1,
      staleSeconds: 3,
    }),
    hosts: [testHost(sshd)],
    sshd,
    pool,
    wrapStore,
  });
  managers.push(created.manager);
  return created;
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
    await grantOn(a.store, sshd, { host: 'app-01' });
    const term = new RecordingClient();
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
    const watcher = new RecordingClient();
    const stop = await b.manager.watchRemote(session.id, watcher);
    await until(() => watcher.output.includes('before-6'), 'history on B');
    a.manager.input(session.id, 'echo during-$((3*4))\r');
    await until(() => watcher.output.includes('during-12'), 'live output on B');
    // B reports its follower with its heartbeat: every instance counts it
    for (const on of [a, b]) {
      await until(
        async () => (await on.manager.listAll())[0].watchers === 1,
        "B's follower counted",
      );
    }
    // C does not: a clear refusal that names the owner
    const refused = await c.manager
      .watchRemote(session.id, new RecordingClient())
      .catch(e => e);
    expect(refused).toBeInstanceOf(SessionElsewhereError);
    expect(refused.code).toBe('bastion-session-elsewhere');
    expect(refused.details).toEqual({ instance: 'A' });
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

  it("shows on instance B the watchers and idle time of instance A's session", async () => {
    const knex = await databases.init(id);
    const dir = mkdtempSync(join(tmpdir(), 'bastion-activity-'));
    const a = await instance(knex, 'A', dir);
    const b = await instance(knex, 'B', dir);
    await grantOn(a.store, sshd, { host: 'app-01' });
    const term = new RecordingClient();
    const session = await a.manager.open(frank, term);
    const listedOnB = async () => {
      const before = Date.now();
      const [item] = await b.manager.listAll();
      return { item, before, after: Date.now() };
    };
    // nothing typed yet: idle since the start
    const first = await listedOnB();
    expect(first.item).toMatchObject({ id: session.id, local: false });
    expect(first.item.lastInputAt).toBeUndefined();
    const startedAt = new Date(session.startedAt).getTime();
    expect(first.item.idleSeconds).toBeGreaterThanOrEqual(
      Math.floor((first.before - startedAt) / 1000),
    );
    expect(first.item.idleSeconds).toBeLessThanOrEqual(
      Math.floor((first.after - startedAt) / 1000),
    );

    const watcher = new RecordingClient();
    const unwatch = a.manager.watch(session.id, watcher)!;
    const typedFrom = Date.now();
    // the output comes a second after the input: the session is active, the user is idle
    a.manager.input(session.id, 'sleep 1; echo typed-$((7*8))\r');
    const typedUntil = Date.now();
    await until(() => watcher.output.includes('typed-56\r\n'), 'output');

    // B reads what A stored with its heartbeat
    let seen = await listedOnB();
    await until(async () => {
      seen = await listedOnB();
      return seen.item.watchers === 1 && seen.item.lastInputAt !== undefined;
    }, "A's heartbeat with the input and the watcher");
    const { item, before, after } = seen;
    expect(item).toMatchObject({ id: session.id, local: false, watchers: 1 });
    const inputAt = new Date(item.lastInputAt!).getTime();
    expect(inputAt).toBeGreaterThanOrEqual(typedFrom);
    expect(inputAt).toBeLessThanOrEqual(typedUntil);
    // idle time counts from the input, not from the output a second later (which would make
    // it a second less than the lower bound)
    expect(item.idleSeconds).toBeGreaterThanOrEqual(
      Math.floor((before - inputAt) / 1000),
    );
    expect(item.idleSeconds).toBeLessThanOrEqual(
      Math.floor((after - inputAt) / 1000),
    );
    // A lists the same from memory
    expect((await a.manager.listAll())[0]).toMatchObject({
      local: true,
      watchers: 1,
      lastInputAt: item.lastInputAt,
    });

    // the watcher leaves: B learns it at the next heartbeat
    unwatch();
    await until(
      async () => (await listedOnB()).item.watchers === 0,
      'no watcher on B',
    );
  });

  it('ends the sessions of an instance whose heartbeat stopped as interrupted', async () => {
    const knex = await databases.init(id);
    const dir = mkdtempSync(join(tmpdir(), 'bastion-hb-'));
    let alive = true;
    // instance A's heartbeats stop (as when its process hangs or is killed); its shell stays
    const a = await instance(knex, 'A', dir, store =>
      Object.assign(Object.create(store), {
        // a frozen instance does not learn that its sessions were ended either
        heartbeat: (...args: Parameters<BastionStore['heartbeat']>) =>
          alive ? store.heartbeat(...args) : Promise.resolve(args[1].length),
        // a frozen instance does no cleanup either: B is the one that notices
        endStaleSessions: (before: number, reason: string) =>
          alive ? store.endStaleSessions(before, reason) : Promise.resolve([]),
      }),
    );
    const b = await instance(knex, 'B', dir);
    await grantOn(a.store, sshd, { host: 'app-01' });
    const term = new RecordingClient();
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
