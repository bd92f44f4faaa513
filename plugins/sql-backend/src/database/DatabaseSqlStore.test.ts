import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseSqlStore } from './DatabaseSqlStore';
import { newChange } from '../__testUtils__/changes';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('DatabaseSqlStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    let now = 1_000_000;
    await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    return new DatabaseSqlStore(knex, () => (now += 1000));
  }

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
