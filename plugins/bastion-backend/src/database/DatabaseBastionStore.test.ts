import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { SessionRecord } from './BastionStore';
import { DatabaseBastionStore } from './DatabaseBastionStore';
import {
  applyBastionMigrations,
  rollbackBastionMigrations,
} from './migrations';

jest.setTimeout(60_000);

const ids =
  process.env.OPSDECK_REQUIRE_POSTGRES_TESTS ||
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? (['POSTGRES_15', 'SQLITE_3'] as const)
    : (['SQLITE_3'] as const);
const databases = TestDatabases.create({ ids: [...ids] });

/** A session of bob's on web-01 that instance `instanceId` holds. */
function bobsSession(sessionId: string, instanceId: string): SessionRecord {
  return {
    id: sessionId,
    userRef: 'user:default/bob',
    host: 'web-01',
    hostRef: 'resource:default/web-01',
    loginUser: 'opsdeck',
    startedAt: '2023-11-14T22:00:00.000Z',
    bytesOut: 0,
    bytesIn: 0,
    cols: 80,
    rows: 24,
    recording: `${sessionId}.cast`,
    instanceId,
  };
}

describe.each([...ids])('DatabaseBastionStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    let now = 1_700_000_000_000;
    await DatabaseBastionStore.create({
      database: mockServices.database({ knex }),
      defaultRules: false,
    });
    return {
      store: new DatabaseBastionStore(knex, () => now),
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('applies and rolls back its migrations', async () => {
    const knex = await databases.init(id);
    await applyBastionMigrations(knex);
    expect(await knex.schema.hasColumn('bastion_sessions', 'instance_id')).toBe(
      true,
    );
    await rollbackBastionMigrations(knex);
    expect(await knex.schema.hasTable('bastion_sessions')).toBe(false);
    await applyBastionMigrations(knex);
    expect(
      await knex.schema.hasColumn('bastion_sessions', 'terminate_requested_at'),
    ).toBe(true);
  });

  it('creates, lists, expires and revokes grants', async () => {
    const { store } = await createStore();
    const g1 = await store.createGrant({
      subject: 'user:default/frank',
      selector: { host: 'web-01' },
      loginUser: 'opsdeck',
      expiresAt: '2023-11-14T23:00:00.000Z',
      reason: 'incident 42',
      createdBy: 'user:default/alice',
    });
    expect(g1).toMatchObject({
      subject: 'user:default/frank',
      selector: { host: 'web-01' },
      loginUser: 'opsdeck',
      expiresAt: '2023-11-14T23:00:00.000Z',
      reason: 'incident 42',
      createdAt: new Date(1_700_000_000_000).toISOString(),
    });
    const g2 = await store.createGrant({
      subject: 'group:default/dev',
      selector: { system: 'payments', tag: 'java' },
      loginUser: 'deploy',
      expiresAt: '2023-11-14T21:00:00.000Z',
      createdBy: 'user:default/alice',
    });
    expect((await store.listGrants()).map(g => g.id).sort()).toEqual(
      [g1.id, g2.id].sort(),
    );
    const at = new Date('2023-11-14T22:00:00.000Z').getTime();
    expect((await store.listGrants({ activeAt: at })).map(g => g.id)).toEqual([
      g1.id,
    ]);
    expect(await store.revokeGrant(g1.id, 'user:default/alice')).toBe(true);
    expect(await store.revokeGrant(g1.id, 'user:default/alice')).toBe(false);
    expect((await store.getGrant(g1.id))!.revokedBy).toBe('user:default/alice');
    expect((await store.listGrants()).map(g => g.id)).toEqual([g2.id]);
  });

  it('makes one grant per idempotency key, also for parallel requests', async () => {
    const { store } = await createStore();
    const grant = {
      subject: 'user:default/frank',
      selector: { host: 'web-01' },
      loginUser: 'opsdeck',
      expiresAt: '2023-11-14T23:00:00.000Z',
      reason: 'ticket 7',
      idempotencyKey: 'ticket:7:server-access.grant:resource:default/web-01',
      createdBy: 'plugin:scaffolder',
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.createGrant(grant)),
    );
    expect(results.filter(r => r.created)).toHaveLength(1);
    expect(new Set(results.map(r => r.id)).size).toBe(1);
    expect(results[0].idempotencyKey).toBe(grant.idempotencyKey);
    // a replay later (another expiry computed) finds the same grant
    const replay = await store.createGrant({
      ...grant,
      expiresAt: '2023-11-15T01:00:00.000Z',
    });
    expect(replay).toMatchObject({ id: results[0].id, created: false });
    expect(await store.listGrants()).toHaveLength(1);
    // the same key for another host is refused
    await expect(
      store.createGrant({ ...grant, selector: { host: 'web-02' } }),
    ).rejects.toThrow(/was used for another grant/);
    // grants without a key are independent
    await store.createGrant({ ...grant, idempotencyKey: undefined });
    await store.createGrant({ ...grant, idempotencyKey: undefined });
    expect(await store.listGrants()).toHaveLength(3);
  });

  it('stores sessions and searches commands by text, user and host', async () => {
    const { store } = await createStore();
    const base = {
      hostRef: 'resource:default/web-01',
      loginUser: 'opsdeck',
      bytesOut: 0,
      bytesIn: 0,
      cols: 80,
      rows: 24,
    };
    await store.createSession({
      ...base,
      id: 's1',
      userRef: 'user:default/bob',
      host: 'web-01',
      startedAt: '2023-11-14T22:00:00.000Z',
      recording: 's1.cast',
    });
    await store.createSession({
      ...base,
      id: 's2',
      userRef: 'user:default/frank',
      host: 'web-02',
      startedAt: '2023-11-14T22:05:00.000Z',
      recording: 's2.cast',
    });
    await store.addCommand({
      sessionId: 's1',
      at: '2023-11-14T22:00:01.000Z',
      command: 'ls -la /var/log',
      action: 'run',
    });
    await store.addCommand({
      sessionId: 's1',
      at: '2023-11-14T22:00:02.000Z',
      command: 'rm -rf 100%_done',
      action: 'rejected',
      ruleId: 'r1',
    });
    await store.addCommand({
      sessionId: 's2',
      at: '2023-11-14T22:05:01.000Z',
      command: 'LS /tmp',
      action: 'run',
    });

    expect(
      (await store.searchCommands({ q: 'ls' })).map(c => c.command),
    ).toEqual(['LS /tmp', 'ls -la /var/log']);
    // LIKE wildcards in the query are literal
    expect(
      (await store.searchCommands({ q: '%_' })).map(c => c.command),
    ).toEqual(['rm -rf 100%_done']);
    expect(
      await store.searchCommands({ user: 'user:default/bob', q: 'rm' }),
    ).toEqual([
      expect.objectContaining({
        sessionId: 's1',
        action: 'rejected',
        ruleId: 'r1',
        host: 'web-01',
        userRef: 'user:default/bob',
      }),
    ]);
    expect(
      (await store.searchCommands({ host: 'web-02' })).map(c => c.sessionId),
    ).toEqual(['s2']);

    expect((await store.listSessions({ open: true })).map(s => s.id)).toEqual([
      's2',
      's1',
    ]);
    await store.endSession('s1', {
      endedAt: '2023-11-14T22:10:00.000Z',
      reason: 'exit',
      bytesOut: 1234,
      bytesIn: 56,
    });
    expect(await store.getSession('s1')).toMatchObject({
      endedAt: '2023-11-14T22:10:00.000Z',
      endReason: 'exit',
      bytesOut: 1234,
      bytesIn: 56,
    });
    expect((await store.listSessions({ open: false })).map(s => s.id)).toEqual([
      's1',
    ]);
    expect(
      (await store.listSessions({ user: 'user:default/frank' })).map(s => s.id),
    ).toEqual(['s2']);
  });

  it('keeps heartbeats per instance, ends stale sessions, and passes terminate requests to the owner', async () => {
    const { store, advance } = await createStore();
    await store.createSession(bobsSession('a1', 'A'));
    await store.createSession(bobsSession('a2', 'A'));
    await store.createSession(bobsSession('b1', 'B'));
    expect(await store.getSession('a1')).toMatchObject({
      instanceId: 'A',
      heartbeatAt: new Date(1_700_000_000_000).toISOString(),
    });

    advance(20_000);
    expect(await store.heartbeat('B', ['b1'])).toBe(1);
    // an instance only refreshes its own sessions
    expect(await store.heartbeat('B', ['a2'])).toBe(0);
    expect(await store.heartbeat('A', ['a2'])).toBe(1);
    expect(
      await store.endStaleSessions(
        1_700_000_010_000,
        'interrupted: backend stopped',
      ),
    ).toEqual([
      expect.objectContaining({
        id: 'a1',
        instanceId: 'A',
        endReason: 'interrupted: backend stopped',
      }),
    ]);
    expect(await store.endStaleSessions(1_700_000_010_000, 'again')).toEqual(
      [],
    );
    expect(
      (await store.listSessions({ open: true })).map(s => s.id).sort(),
    ).toEqual(['a2', 'b1']);

    // any instance may ask; only the owner sees the request
    expect(
      await store.requestTerminate('b1', 'Terminated by user:default/alice'),
    ).toBe(true);
    expect(await store.requestTerminate('a1', 'too late')).toBe(false);
    expect(await store.terminateRequests('A')).toEqual([]);
    expect(await store.terminateRequests('B')).toEqual([
      { id: 'b1', reason: 'Terminated by user:default/alice' },
    ]);
    await store.endSession('b1', {
      endedAt: '2023-11-14T22:10:00.000Z',
      reason: 'Terminated by user:default/alice',
      bytesOut: 1,
      bytesIn: 1,
    });
    expect(await store.terminateRequests('B')).toEqual([]);
    // many ids in one heartbeat (sliced under the parameter limits)
    expect(
      await store.heartbeat(
        'A',
        [...Array(1200).keys()].map(i => `x${i}`).concat('a2'),
      ),
    ).toBe(1);
    expect((await store.getSession('a2'))!.heartbeatAt).toBe(
      new Date(1_700_000_020_000).toISOString(),
    );
  });

  it("stores a session's last input and watchers with the owner's heartbeat", async () => {
    const { store, advance } = await createStore();
    await store.createSession(bobsSession('a1', 'A'));
    await store.createSession(bobsSession('a2', 'A'));
    // a new session: nothing typed, nobody watching
    expect(await store.getSession('a1')).toMatchObject({
      watchers: 0,
    });
    expect((await store.getSession('a1'))!.lastInputAt).toBeUndefined();

    advance(5_000);
    const activity = new Map([
      [
        'a1',
        {
          lastInputAt: 1_700_000_003_000,
          watchers: 2,
        },
      ],
      // not among the heartbeat's sessions: ignored
      ['b1', { watchers: 1 }],
    ]);
    expect(await store.heartbeat('A', ['a1', 'a2'], activity)).toBe(2);
    expect(await store.getSession('a1')).toMatchObject({
      heartbeatAt: new Date(1_700_000_005_000).toISOString(),
      lastInputAt: new Date(1_700_000_003_000).toISOString(),
      watchers: 2,
    });
    // without new activity the heartbeat keeps the stored values
    expect(await store.getSession('a2')).toMatchObject({
      heartbeatAt: new Date(1_700_000_005_000).toISOString(),
      watchers: 0,
    });
    advance(5_000);
    expect(await store.heartbeat('A', ['a1', 'a2'])).toBe(2);
    expect(await store.getSession('a1')).toMatchObject({
      heartbeatAt: new Date(1_700_000_010_000).toISOString(),
      lastInputAt: new Date(1_700_000_003_000).toISOString(),
      watchers: 2,
    });
    expect(await store.listSessions({ open: true })).toContainEqual(
      expect.objectContaining({ id: 'a1', watchers: 2 }),
    );

    // followers on other instances, per instance, counted while their reports are fresh
    await store.reportRemoteWatchers(
      'B',
      new Map([
        ['a1', 2],
        ['a2', 1],
      ]),
    );
    advance(5_000);
    await store.reportRemoteWatchers('C', new Map([['a1', 1]]));
    expect(await store.remoteWatchers(1_700_000_000_000)).toEqual(
      new Map([
        ['a1', 3],
        ['a2', 1],
      ]),
    );
    // B's report is too old for this cut-off
    expect(await store.remoteWatchers(1_700_000_012_000)).toEqual(
      new Map([['a1', 1]]),
    );
    // B's next report replaces its previous one
    await store.reportRemoteWatchers('B', new Map([['a2', 0]]));
    expect(await store.remoteWatchers(1_700_000_000_000)).toEqual(
      new Map([['a1', 1]]),
    );
  });

  it('keeps rules in priority order', async () => {
    const { store, advance } = await createStore();
    const late = await store.createRule({
      name: 'alert sudo',
      pattern: '^sudo',
      action: 'alert',
      scope: {},
      priority: 50,
      createdBy: 'user:default/alice',
    });
    advance(1);
    const early = await store.createRule({
      name: 'no rm',
      pattern: 'rm -rf',
      action: 'reject',
      scope: { environment: 'prod', tag: 'db' },
      priority: 10,
      createdBy: 'user:default/alice',
    });
    expect((await store.listRules()).map(r => r.id)).toEqual([
      early.id,
      late.id,
    ]);
    expect(early.scope).toEqual({ environment: 'prod', tag: 'db' });
    expect(await store.deleteRule(late.id)).toBe(true);
    expect(await store.deleteRule(late.id)).toBe(false);
  });
});
