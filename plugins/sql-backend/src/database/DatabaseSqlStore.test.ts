import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseSqlStore } from './DatabaseSqlStore';
import { newChange } from '../__testUtils__/changes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('DatabaseSqlStore (%s)', id => {
  async function createStore(clock?: () => number) {
    const knex = await databases.init(id);
    let now = 1_000_000;
    await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    return new DatabaseSqlStore(knex, clock ?? (() => (now += 1000)));
  }

  it('finds executing changes whose heartbeat is stale and fails them once', async () => {
    let clock = 1_000_000;
    const store = await createStore(() => clock);
    const dead = '00000000-0000-4000-8000-00000000000d';
    const alive = '00000000-0000-4000-8000-00000000000a';
    const waiting = '00000000-0000-4000-8000-00000000000b';
    for (const c of [dead, alive, waiting]) {
      await store.createChange(newChange(c, { status: 'approved' }));
    }
    // both claimed at 1,000,000; only `alive` keeps beating
    await store.updateChange(dead, ['approved'], { status: 'executing' });
    await store.updateChange(alive, ['approved'], { status: 'executing' });
    await store.saveRun(dead, {
      index: 0,
      status: 'done',
      affectedRows: 3,
      durationMs: 5,
    });
    clock = 1_200_000;
    await store.heartbeat(alive);
    await store.heartbeat(waiting); // not executing: no effect
    const cutoff = new Date(1_100_000);
    expect(await store.listStaleExecuting(cutoff)).toEqual([dead]);
    expect(await store.listStaleExecuting(new Date(1_000_000))).toEqual([]);

    // a live executor's heartbeat wins over a stale view
    expect(await store.failStaleExecuting(alive, cutoff, 'x')).toBe(false);
    expect(await store.failStaleExecuting(waiting, cutoff, 'x')).toBe(false);
    expect(
      await store.failStaleExecuting(dead, cutoff, 'interrupted: stopped'),
    ).toBe(true);
    expect(await store.failStaleExecuting(dead, cutoff, 'again')).toBe(false);
    expect(await store.getChange(dead)).toMatchObject({
      status: 'failed',
      error: 'interrupted: stopped',
    });
    expect(await store.listRuns(dead)).toEqual([
      expect.objectContaining({ index: 0, status: 'done', affectedRows: 3 }),
    ]);
    expect(await store.getChange(alive)).toMatchObject({ status: 'executing' });
    expect(await store.listStaleExecuting(new Date(1_300_000))).toEqual([
      alive,
    ]);
  });

  it('keeps the latest slow-query snapshot per instance and the last error', async () => {
    const store = await createStore();
    const pay = 'resource:default/pay-db-main';
    expect(await store.getSlowQuerySnapshot(pay)).toBeUndefined();
    const first = new Date('2026-05-01T10:00:00Z');
    await store.saveSlowQuerySnapshot(
      pay,
      'postgresql',
      [
        {
          statement: 'SELECT * FROM a WHERE id = $1',
          calls: 10,
          totalMs: 12.5,
          meanMs: 1.25,
          rows: 10,
        },
        { statement: 'UPDATE b SET x = $1', calls: 2, totalMs: 3, meanMs: 1.5 },
      ],
      first,
    );
    await store.saveSlowQuerySnapshot(
      'resource:default/session-cache',
      'redis',
      [{ statement: 'GET ?', calls: 1, totalMs: 0.1, meanMs: 0.1 }],
      first,
    );
    expect(await store.getSlowQuerySnapshot(pay)).toEqual({
      instanceRef: pay,
      engine: 'postgresql',
      takenAt: first.toISOString(),
      attemptedAt: first.toISOString(),
      error: undefined,
      statements: [
        {
          statement: 'SELECT * FROM a WHERE id = $1',
          calls: 10,
          totalMs: 12.5,
          meanMs: 1.25,
          rows: 10,
        },
        {
          statement: 'UPDATE b SET x = $1',
          calls: 2,
          totalMs: 3,
          meanMs: 1.5,
          rows: undefined,
        },
      ],
    });
    // a failed refresh keeps the statements of the last success
    const failed = new Date('2026-05-01T10:15:00Z');
    await store.saveSlowQueryError(pay, 'postgresql', 'ECONNREFUSED', failed);
    expect(await store.getSlowQuerySnapshot(pay)).toMatchObject({
      takenAt: first.toISOString(),
      attemptedAt: failed.toISOString(),
      error: 'ECONNREFUSED',
      statements: [{ calls: 10 }, { calls: 2 }],
    });
    // the next success replaces them and clears the error
    const second = new Date('2026-05-01T10:30:00Z');
    await store.saveSlowQuerySnapshot(
      pay,
      'postgresql',
      [{ statement: 'SELECT 1', calls: 1, totalMs: 1, meanMs: 1, rows: 1 }],
      second,
    );
    expect(await store.getSlowQuerySnapshot(pay)).toMatchObject({
      takenAt: second.toISOString(),
      error: undefined,
      statements: [{ statement: 'SELECT 1' }],
    });
    expect(
      (await store.getSlowQuerySnapshot('resource:default/session-cache'))
        ?.statements,
    ).toHaveLength(1);
    // an instance that never succeeded has an error and no statements
    await store.saveSlowQueryError(
      'resource:default/down',
      'mysql',
      'timed out',
      failed,
    );
    expect(
      await store.getSlowQuerySnapshot('resource:default/down'),
    ).toMatchObject({ takenAt: undefined, error: 'timed out', statements: [] });
  });

  it('keeps every successful snapshot in the history until it is pruned', async () => {
    const store = await createStore();
    const pay = 'resource:default/pay-db-main';
    const shop = 'resource:default/shop-db';
    const day = (d: number) => new Date(Date.UTC(2026, 4, d, 10));
    const top = (statement: string, calls: number) => [
      { statement, calls, totalMs: calls * 2, meanMs: 2, rows: calls },
    ];
    expect(await store.listSlowQueryHistory(pay, 10)).toEqual([]);
    await store.saveSlowQuerySnapshot(
      pay,
      'postgresql',
      top('SELECT 1', 1),
      day(1),
    );
    await store.saveSlowQuerySnapshot(
      pay,
      'postgresql',
      top('SELECT 2', 2),
      day(3),
    );
    // a failed refresh adds nothing to the history
    await store.saveSlowQueryError(pay, 'postgresql', 'ECONNREFUSED', day(4));
    await store.saveSlowQuerySnapshot(pay, 'postgresql', [], day(5));
    await store.saveSlowQuerySnapshot(
      shop,
      'mysql',
      top('SELECT ?', 7),
      day(2),
    );

    expect(await store.listSlowQueryHistory(pay, 10)).toEqual([
      day(5).toISOString(),
      day(3).toISOString(),
      day(1).toISOString(),
    ]);
    expect(await store.listSlowQueryHistory(pay, 1)).toEqual([
      day(5).toISOString(),
    ]);
    expect(await store.getSlowQueryHistorySnapshot(pay, day(3))).toEqual({
      instanceRef: pay,
      engine: 'postgresql',
      takenAt: day(3).toISOString(),
      attemptedAt: day(3).toISOString(),
      statements: top('SELECT 2', 2),
    });
    expect(await store.getSlowQueryHistorySnapshot(pay, day(5))).toMatchObject({
      statements: [],
    });
    expect(
      await store.getSlowQueryHistorySnapshot(pay, day(2)),
    ).toBeUndefined();
    // the latest snapshot is still the last success
    expect(await store.getSlowQuerySnapshot(pay)).toMatchObject({
      takenAt: day(5).toISOString(),
      error: undefined,
    });

    // prunes across instances, strictly before the cut-off
    expect(await store.pruneSlowQueryHistory(day(3))).toBe(2);
    expect(await store.listSlowQueryHistory(pay, 10)).toEqual([
      day(5).toISOString(),
      day(3).toISOString(),
    ]);
    expect(await store.listSlowQueryHistory(shop, 10)).toEqual([]);
    expect(
      await store.getSlowQueryHistorySnapshot(pay, day(1)),
    ).toBeUndefined();
    expect(await store.pruneSlowQueryHistory(day(3))).toBe(0);
  });

  it('stores changes and moves status only from the expected states', async () => {
    const store = await createStore();
    const a = '00000000-0000-4000-8000-000000000001';
    const b = '00000000-0000-4000-8000-000000000002';
    await store.createChange(newChange(a, { reason: 'why' }));
    await store.createChange(
      newChange(b, { instanceRef: 'resource:default/shop-db' }),
    );
    const got = await store.getChange(a);
    expect(got).toMatchObject({
      id: a,
      reason: 'why',
      status: 'pending',
      approverGroups: ['group:default/dba'],
    });
    expect(got!.createdAt).toBe(new Date(1_001_000).toISOString());

    expect((await store.listChanges({ limit: 10 })).map(c => c.id)).toEqual([
      b,
      a,
    ]);
    expect(
      (
        await store.listChanges({
          instanceRef: 'resource:default/shop-db',
          limit: 10,
        })
      ).map(c => c.id),
    ).toEqual([b]);

    const approvals = [
      {
        level: 1,
        group: 'group:default/dba',
        user: 'user:default/carol',
        decision: 'approved' as const,
        at: 'x',
      },
    ];
    expect(
      await store.updateChange(a, ['pending'], {
        status: 'approved',
        approvals,
      }),
    ).toBe(true);
    expect(
      await store.updateChange(a, ['pending'], { status: 'rejected' }),
    ).toBe(false);
    expect(await store.getChange(a)).toMatchObject({
      status: 'approved',
      approvals,
    });
  });

  it('keeps statement runs with their backups, replacing a run of the same statement', async () => {
    const store = await createStore();
    const c = '00000000-0000-4000-8000-000000000003';
    await store.createChange(newChange(c));
    const backup = {
      table: '"t"',
      kind: 'update' as const,
      columns: ['id', 'a'],
      primaryKey: ['id'],
      rows: [['1', null]],
    };
    await store.saveRun(c, {
      index: 1,
      status: 'failed',
      error: 'boom',
      durationMs: 3,
    });
    await store.saveRun(c, {
      index: 0,
      status: 'done',
      affectedRows: 1,
      durationMs: 2,
      backup,
      rollbackSql: 'UPDATE',
    });
    await store.saveRun(c, {
      index: 0,
      status: 'rolled_back',
      affectedRows: 1,
      durationMs: 2,
      backup,
      rollbackSql: 'UPDATE',
    });
    expect(await store.listRuns(c)).toEqual([
      {
        index: 0,
        status: 'rolled_back',
        affectedRows: 1,
        durationMs: 2,
        backup,
        rollbackSql: 'UPDATE',
        error: undefined,
      },
      {
        index: 1,
        status: 'failed',
        error: 'boom',
        durationMs: 3,
        affectedRows: undefined,
        backup: undefined,
        rollbackSql: undefined,
      },
    ]);
  });

  it('keeps the scheduled time and lists due scheduled changes only', async () => {
    const store = await createStore();
    const early = '00000000-0000-4000-8000-0000000000e1';
    const late = '00000000-0000-4000-8000-0000000000e2';
    const approved = '00000000-0000-4000-8000-0000000000e3';
    for (const changeId of [early, late, approved]) {
      await store.createChange(newChange(changeId, { status: 'approved' }));
    }
    const at = (iso: string) => ({
      status: 'scheduled' as const,
      scheduledAt: iso,
      scheduledBy: 'user:default/carol',
    });
    expect(
      await store.updateChange(late, ['approved'], at('2026-05-01T10:00:00Z')),
    ).toBe(true);
    expect(
      await store.updateChange(early, ['approved'], at('2026-05-01T09:00:00Z')),
    ).toBe(true);
    expect(await store.getChange(early)).toMatchObject({
      status: 'scheduled',
      scheduledAt: '2026-05-01T09:00:00.000Z',
      scheduledBy: 'user:default/carol',
    });
    expect(
      await store.listDueChanges(new Date('2026-05-01T08:59:59Z'), 10),
    ).toEqual([]);
    expect(
      await store.listDueChanges(new Date('2026-05-01T09:30:00Z'), 10),
    ).toEqual([early]);
    expect(
      await store.listDueChanges(new Date('2026-05-01T11:00:00Z'), 10),
    ).toEqual([early, late]);
    // a claimed change is no longer due
    expect(
      await store.updateChange(early, ['scheduled'], { status: 'executing' }),
    ).toBe(true);
    expect(
      await store.updateChange(early, ['scheduled'], { status: 'executing' }),
    ).toBe(false);
    expect(
      await store.listDueChanges(new Date('2026-05-01T11:00:00Z'), 10),
    ).toEqual([late]);
  });

  it('unschedules only a change that is still scheduled, never one the scheduler claimed', async () => {
    const store = await createStore();
    const waiting = '00000000-0000-4000-8000-0000000000f1';
    const claimed = '00000000-0000-4000-8000-0000000000f2';
    const schedule = {
      status: 'scheduled' as const,
      scheduledAt: '2026-05-01T09:00:00Z',
      scheduledBy: 'user:default/carol',
    };
    // the patch SqlService.unschedule applies
    const unschedule = (changeId: string) =>
      store.updateChange(changeId, ['scheduled'], {
        status: 'approved',
        scheduledAt: '',
        scheduledBy: '',
      });
    for (const changeId of [waiting, claimed]) {
      await store.createChange(newChange(changeId, { status: 'approved' }));
      await store.updateChange(changeId, ['approved'], schedule);
    }
    // the scheduler claims one first
    expect(
      await store.updateChange(claimed, ['scheduled'], { status: 'executing' }),
    ).toBe(true);
    expect(await unschedule(claimed)).toBe(false);
    expect(await store.getChange(claimed)).toMatchObject({
      status: 'executing',
      scheduledAt: '2026-05-01T09:00:00.000Z',
    });

    expect(await unschedule(waiting)).toBe(true);
    const back = await store.getChange(waiting);
    expect(back).toMatchObject({ status: 'approved' });
    expect(back?.scheduledAt).toBeUndefined();
    expect(back?.scheduledBy).toBeUndefined();
    // no longer due, and a late claim by the scheduler loses
    expect(
      await store.listDueChanges(new Date('2026-06-01T00:00:00Z'), 10),
    ).toEqual([]);
    expect(
      await store.updateChange(waiting, ['scheduled'], { status: 'executing' }),
    ).toBe(false);
    expect(await unschedule(waiting)).toBe(false);
  });

  it('logs queries', async () => {
    const store = await createStore();
    await store.logQuery({
      userRef: 'user:default/frank',
      instanceRef: 'resource:default/pay-db-main',
      statement: 'SELECT 1',
      rowCount: 1,
      durationMs: 4,
    });
    await store.logQuery({
      userRef: 'user:default/frank',
      instanceRef: 'resource:default/shop-db',
      statement: 'DELETE',
      error: 'refused',
    });
    const all = await store.listQueryLog({ limit: 10 });
    expect(all.map(e => e.statement)).toEqual(['DELETE', 'SELECT 1']);
    expect(all[0]).toMatchObject({ error: 'refused', rowCount: undefined });
    expect(
      await store.listQueryLog({
        instanceRef: 'resource:default/pay-db-main',
        limit: 10,
      }),
    ).toEqual([
      expect.objectContaining({
        statement: 'SELECT 1',
        rowCount: 1,
        durationMs: 4,
      }),
    ]);
  });
});
