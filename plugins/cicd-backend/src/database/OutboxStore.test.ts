import { TestDatabases } from '@backstage/backend-test-utils';
import { applyCicdMigrations, rollbackCicdMigrations } from './migrations';
import { OutboxStore } from './OutboxStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = Date.UTC(2026, 11, 3, 12);

function alert(number: number) {
  return {
    jobKey: 'main:shop/web@abc',
    number,
    owner: 'group:default/dev',
    payload: {
      title: `Build failed: shop #${number}`,
      severity: 'high' as const,
    },
  };
}

describe.each(databases.eachSupportedId())('alert outbox (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    return new OutboxStore(knex);
  }

  it('writes an alert once per job and build', async () => {
    const s = await store();
    const ids = await Promise.all([
      s.enqueue(alert(1), NOW),
      s.enqueue(alert(1), NOW),
    ]);
    expect(ids.filter(id => id !== undefined)).toHaveLength(1);
    expect(await s.get('main:shop/web@abc', 1)).toEqual({
      status: 'pending',
      attempts: 0,
      nextAt: NOW,
      lastError: undefined,
    });
  });

  it('gives each due row to exactly one of many parallel claims (replicas)', async () => {
    const s = await store();
    for (let n = 1; n <= 300; n++) await s.enqueue(alert(n), NOW);
    // two replicas (two stores on one database), twelve claims at once
    const replicas = [s, new OutboxStore((s as any).knex)];
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replicas[i % 2].claim({
          token: `t${i}`,
          now: NOW,
          leaseMs: 60_000,
          limit: 25,
        }),
      ),
    );
    // no row twice (a claim that lost a row to another one gets fewer)
    const numbers = claims.flat().map(c => c.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    // each claim got its own rows, all with the first attempt
    for (const [i, rows] of claims.entries()) {
      for (const r of rows)
        expect(r).toMatchObject({ token: `t${i}`, attempts: 1 });
    }
    // what nobody got is still there for the next claim
    const rest = await s.claim({
      token: 'rest',
      now: NOW,
      leaseMs: 60_000,
      limit: 300,
    });
    expect(
      [...numbers, ...rest.map(r => r.number)].sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    // held: nothing more to claim until the lease ends
    expect(
      await s.claim({
        token: 'late',
        now: NOW + 1000,
        leaseMs: 60_000,
        limit: 50,
      }),
    ).toEqual([]);
  });

  it('claims one row by id once among parallel claims', async () => {
    const s = await store();
    const id = (await s.enqueue(alert(9), NOW))!;
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.claim({ token: `t${i}`, now: NOW, leaseMs: 60_000, limit: 1, id }),
      ),
    );
    expect(claims.flat()).toHaveLength(1);
  });

  it('retries a failed row after its backoff, gives it up, and frees a dead sender after the lease', async () => {
    const s = await store();
    await s.enqueue(alert(3), NOW);
    const [a] = await s.claim({
      token: 'a',
      now: NOW,
      leaseMs: 60_000,
      limit: 5,
    });
    expect(
      await s.failed(
        a,
        'notifications down',
        { giveUp: false, nextAt: NOW + 30_000 },
        NOW,
      ),
    ).toBe(true);
    // not due yet
    expect(
      await s.claim({
        token: 'b',
        now: NOW + 29_999,
        leaseMs: 60_000,
        limit: 5,
      }),
    ).toEqual([]);
    const [b] = await s.claim({
      token: 'b',
      now: NOW + 30_000,
      leaseMs: 60_000,
      limit: 5,
    });
    expect(b).toMatchObject({ number: 3, attempts: 2 });
    // a sender whose claim is gone cannot record anything
    expect(await s.sent(a, NOW + 30_001)).toBe(false);
    // b dies; after its lease another sender takes the row
    expect(
      await s.claim({
        token: 'c',
        now: NOW + 89_999,
        leaseMs: 60_000,
        limit: 5,
      }),
    ).toEqual([]);
    const [c] = await s.claim({
      token: 'c',
      now: NOW + 90_000,
      leaseMs: 60_000,
      limit: 5,
    });
    expect(c).toMatchObject({ number: 3, attempts: 3 });
    expect(
      await s.failed(
        c,
        'still down',
        { giveUp: true, nextAt: NOW + 90_000 },
        NOW + 90_000,
      ),
    ).toBe(true);
    expect(await s.get('main:shop/web@abc', 3)).toMatchObject({
      status: 'given_up',
      attempts: 3,
      lastError: 'still down',
    });
    expect(
      await s.claim({
        token: 'd',
        now: NOW + 10_000_000,
        leaseMs: 60_000,
        limit: 5,
      }),
    ).toEqual([]);
  });

  it('lets only the holder of the current claim mark its row sending, and expires a sending row once among parallel expiries', async () => {
    const s = await store();
    for (let n = 1; n <= 4; n++) await s.enqueue(alert(n), NOW);
    const claimed = await s.claim({
      token: 'a',
      now: NOW,
      leaseMs: 60_000,
      limit: 4,
    });
    const [one] = claimed;
    // not with another token, not after the lease
    expect(
      await s.markSending({ ...one, token: 'b' }, { now: NOW, leaseMs: 1 }),
    ).toBe(false);
    expect(
      await s.markSending(one, { now: NOW + 60_000, leaseMs: 60_000 }),
    ).toBe(false);
    for (const c of claimed) {
      expect(await s.markSending(c, { now: NOW + 1000, leaseMs: 60_000 })).toBe(
        true,
      );
    }
    // once only; a sending row is not claimed again, even after its lease
    expect(await s.markSending(one, { now: NOW + 1000, leaseMs: 60_000 })).toBe(
      false,
    );
    expect(
      await s.claim({ token: 'c', now: NOW + 61_000, leaseMs: 1, limit: 9 }),
    ).toEqual([]);
    expect(await s.expireSending(NOW + 60_999)).toEqual([]);
    const replicas = [s, new OutboxStore((s as any).knex)];
    const moved = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        replicas[i % 2].expireSending(NOW + 61_000),
      ),
    );
    expect(
      moved
        .flat()
        .map(r => r.number)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    expect(await s.get('main:shop/web@abc', 1)).toMatchObject({
      status: 'unknown',
    });
    // a sender that was only slow still records its send
    expect(await s.sent(one, NOW + 62_000)).toBe(true);
    expect((await s.get('main:shop/web@abc', 1))?.status).toBe('sent');
  });

  it('migrates down and up again with a sending row in the table', async () => {
    const s = await store();
    const knex = (s as any).knex;
    await s.enqueue(alert(6), NOW);
    const [c] = await s.claim({ token: 'a', now: NOW, leaseMs: 9, limit: 1 });
    expect(await s.markSending(c, { now: NOW, leaseMs: 9 })).toBe(true);
    await rollbackCicdMigrations(knex);
    expect(await knex.schema.hasTable('cicd_alert_outbox')).toBe(false);
    await applyCicdMigrations(knex);
    expect(await knex.schema.hasColumn('cicd_alert_outbox', 'sending_at')).toBe(
      true,
    );
  });

  it('marks a sent row and prunes finished rows after the retention', async () => {
    const s = await store();
    await s.enqueue(alert(4), NOW);
    await s.enqueue(alert(5), NOW);
    const [a] = await s.claim({
      token: 'a',
      now: NOW,
      leaseMs: 60_000,
      limit: 1,
    });
    expect(await s.sent(a, NOW)).toBe(true);
    expect((await s.get('main:shop/web@abc', a.number))!.status).toBe('sent');
    expect(await s.prune(NOW)).toBe(0);
    expect(await s.prune(NOW + 1)).toBe(1);
    // the pending one stays
    expect(await s.get('main:shop/web@abc', 5)).toMatchObject({
      status: 'pending',
    });
  });
});
