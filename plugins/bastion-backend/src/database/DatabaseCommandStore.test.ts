/*
 * The command side of the store on SQLite and PostgreSQL: the default rule set is seeded once
 * per database (also by replicas starting together), a review is decided by exactly one of
 * many parallel decisions, exec records are stored once, and (#22) a restarted instance ends
 * its own previous sessions at once with the byte counts its heartbeats flushed.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DEFAULT_RULES } from '../commands/defaultRules';
import type { SessionRecord } from './BastionStore';
import {
  DatabaseBastionStore,
  DEFAULT_RULES_AUTHOR,
} from './DatabaseBastionStore';

jest.setTimeout(60_000);

const ids =
  process.env.OPSDECK_REQUIRE_POSTGRES_TESTS ||
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? (['POSTGRES_15', 'SQLITE_3'] as const)
    : (['SQLITE_3'] as const);
const databases = TestDatabases.create({ ids: [...ids] });

function session(id: string, instanceId: string, run: string): SessionRecord {
  return {
    id,
    userRef: 'user:default/bob',
    host: 'web-01',
    hostRef: 'resource:default/web-01',
    loginUser: 'opsdeck',
    startedAt: '2026-12-01T10:00:00.000Z',
    bytesOut: 0,
    bytesIn: 0,
    cols: 80,
    rows: 24,
    recording: `${id}.cast`,
    instanceId,
    instanceRun: run,
  };
}

describe.each([...ids])('DatabaseCommandStore (%s)', id => {
  it('seeds the default rules once, even when replicas start together', async () => {
    const knex = await databases.init(id);
    const database = mockServices.database({ knex });
    await DatabaseBastionStore.create({ database, defaultRules: false });
    const stores = await Promise.all(
      [1, 2, 3, 4].map(() => DatabaseBastionStore.create({ database })),
    );
    const rules = await stores[0].listRules();
    expect(
      rules.filter(r => r.createdBy === DEFAULT_RULES_AUTHOR),
    ).toHaveLength(DEFAULT_RULES.length);
    // an admin deletes one: a later start does not bring it back
    await stores[0].deleteRule(rules[0].id);
    await DatabaseBastionStore.create({ database });
    expect(await stores[0].listRules()).toHaveLength(DEFAULT_RULES.length - 1);
  });

  it('lets exactly one of many parallel decisions decide a review', async () => {
    const knex = await databases.init(id);
    const store = await DatabaseBastionStore.create({
      database: mockServices.database({ knex }),
      defaultRules: false,
    });
    await store.createSession(session('s1', 'A', 'r1'));
    const review = await store.createReview({
      sessionId: 's1',
      command: 'systemctl restart nginx',
      requestedBy: 'user:default/bob',
      host: 'web-01',
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(review.status).toBe('pending');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.decideReview(
          review.id,
          (['approved', 'denied', 'timeout'] as const)[i % 3],
          `user:default/approver-${i}`,
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const decided = await store.getReview(review.id);
    const winner = results.indexOf(true);
    expect(decided?.decidedBy).toBe(`user:default/approver-${winner}`);
    expect(decided?.status).not.toBe('pending');
    expect(await store.listReviews({ status: 'pending' })).toEqual([]);
  });

  it('stores host exec records once per audit event', async () => {
    const knex = await databases.init(id);
    const store = await DatabaseBastionStore.create({
      database: mockServices.database({ knex }),
      defaultRules: false,
    });
    await store.createSession(session('s1', 'A', 'r1'));
    const exec = {
      sessionId: 's1',
      event: '1700000000.123:42',
      at: '2026-12-01T10:00:01.000Z',
      pid: 100,
      ppid: 99,
      uid: 1000,
      exe: '/usr/bin/rm',
      argv: ['rm', '-rf', '/tmp/x y'],
      cwd: '/home/opsdeck',
    };
    expect(await store.addExecs([exec])).toBe(1);
    expect(
      await store.addExecs([exec, { ...exec, event: '1700000000.200:43' }]),
    ).toBe(1);
    expect((await store.listExecs('s1')).map(e => e.argv)).toEqual([
      ['rm', '-rf', '/tmp/x y'],
      ['rm', '-rf', '/tmp/x y'],
    ]);
  });

  it("ends a restarted instance's own previous sessions at once, keeping flushed byte counts", async () => {
    const knex = await databases.init(id);
    const store = await DatabaseBastionStore.create({
      database: mockServices.database({ knex }),
      defaultRules: false,
    });
    await store.createSession(session('old', 'A', 'run-1'));
    await store.createSession(session('other', 'B', 'run-9'));
    await store.createSession(session('new', 'A', 'run-2'));
    // the heartbeat of run-1 flushed its counts before the kill
    await store.heartbeat(
      'A',
      ['old'],
      new Map([['old', { watchers: 0, bytesIn: 12, bytesOut: 3456 }]]),
    );
    const ended = await store.endOwnPreviousSessions(
      'A',
      'run-2',
      'interrupted: backend restarted',
    );
    expect(ended.map(r => r.id)).toEqual(['old']);
    expect(await store.getSession('old')).toMatchObject({
      endReason: 'interrupted: backend restarted',
      bytesIn: 12,
      bytesOut: 3456,
    });
    // another instance's session and this run's own stay open (heartbeat rule for others)
    expect((await store.getSession('other'))?.endedAt).toBeUndefined();
    expect((await store.getSession('new'))?.endedAt).toBeUndefined();
  });
});
