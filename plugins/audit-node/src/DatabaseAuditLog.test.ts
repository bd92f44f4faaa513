import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseAuditStore } from './DatabaseAuditStore';
import { DatabaseAuditLog } from './DatabaseAuditLog';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('DatabaseAuditLog (%s)', id => {
  it('reads a time range in id order, in batches, filtered by action and status', async () => {
    const knex = await databases.init(id);
    const store = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
    const base = Date.parse('2026-03-02T00:00:00.000Z');
    for (let i = 0; i < 25; i++) {
      await store.insert({
        // one event every 8 hours from Sunday to the Tuesday after
        occurredAt: new Date(base - 86_400_000 + i * 8 * 3_600_000),
        plugin: i % 2 ? 'sql' : 'jobs',
        action: i % 2 ? 'sql-change-execute' : 'job-run',
        severity: 'medium',
        status: i % 5 === 0 ? 'failed' : 'succeeded',
        outcome: i % 5 === 0 ? 'failed' : 'success',
        actor: `user:default/u${i}`,
        via: i === 7 ? ['schedule:s1'] : [],
        target: `t${i}`,
        meta: { i },
      });
    }
    const log = new DatabaseAuditLog(knex);
    const from = new Date(base);
    const to = new Date(base + 7 * 86_400_000);

    const batches: number[][] = [];
    const total = await log.scan({ from, to, batchSize: 4 }, events => {
      batches.push(events.map(e => e.meta.i as number));
    });
    // i = 3 is the first at or after Monday 00:00; i = 24 is next Monday 00:00 (excluded)
    expect(total).toBe(21);
    expect(batches.flat()).toEqual(Array.from({ length: 21 }, (_, k) => k + 3));
    expect(batches.every(b => b.length <= 4)).toBe(true);

    const sqlFailed: number[] = [];
    await log.scan(
      { from, to, actions: ['sql-change-execute'], status: 'failed' },
      events => {
        for (const e of events) {
          expect(e).toMatchObject({
            plugin: 'sql',
            status: 'failed',
            actor: `user:default/u${e.meta.i}`,
          });
          sqlFailed.push(e.meta.i as number);
        }
      },
    );
    expect(sqlFailed).toEqual([5, 15]);
    expect(
      await log.scan(
        { from: to, to: new Date(to.getTime() + 1), actions: [] },
        () => {},
      ),
    ).toBe(0);
  });
});
