import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { createLeases } from './leases';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** Ten takers at once, of whom exactly one may win: returns the winner. */
async function oneOfTen(take: (holder: string) => Promise<boolean>) {
  const holders = Array.from({ length: 10 }, (_, i) => `taker-${i}`);
  const results = await Promise.all(holders.map(take));
  expect(results.filter(Boolean)).toHaveLength(1);
  return holders[results.indexOf(true)];
}

describe.each(databases.eachSupportedId())('createLeases (%s)', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
    await knex.schema.createTable('test_leases', t => {
      t.string('name', 64).primary();
      t.string('holder', 255).notNullable();
      t.bigInteger('expires_at').notNullable();
      t.boolean('flag').notNullable().defaultTo(false);
    });
    await knex.schema.createTable('test_items', t => {
      t.integer('id').primary();
      t.string('state', 16).notNullable();
      t.string('token', 64).nullable();
      t.bigInteger('claimed_at').nullable();
    });
  });

  describe('lease-table', () => {
    /** Leases on a clock the test moves. */
    const clocked = (start: number) => {
      const clock = { now: start };
      const leases = createLeases(knex, {
        table: 'test_leases',
        clock: () => clock.now,
      });
      return { clock, leases };
    };

    it('gives a free lease to one holder; release lets another in', async () => {
      const leases = createLeases(knex, { table: 'test_leases' });
      expect(await leases.tryAcquire('a', 'one', 10_000)).toBe(true);
      expect(await leases.tryAcquire('a', 'two', 10_000)).toBe(false);
      // another name is independent
      expect(await leases.tryAcquire('b', 'two', 10_000)).toBe(true);
      expect(await leases.holder('a', 10_000)).toBe('one');
      // someone else's release leaves the lease alone
      expect(await leases.release('a', 'two')).toBe(false);
      expect(await leases.holder('a', 10_000)).toBe('one');
      expect(await leases.release('a', 'one')).toBe(true);
      expect(await knex('test_leases').where('name', 'a')).toEqual([]);
      expect(await leases.holder('a', 10_000)).toBeUndefined();
      expect(await leases.tryAcquire('a', 'two', 10_000)).toBe(true);
      expect(await leases.holder('a', 10_000)).toBe('two');
    });

    it('gives exactly one of ten concurrent takers the lease', async () => {
      const leases = createLeases(knex, { table: 'test_leases' });
      const winner = await oneOfTen(h =>
        leases.tryAcquire('contended', h, 10_000),
      );
      expect(await leases.holder('contended', 10_000)).toBe(winner);
      const rows = await knex('test_leases').where('name', 'contended');
      expect(rows.map(r => r.holder)).toEqual([winner]);
    });

    it('lets a holder renew; another takes over once it stopped renewing', async () => {
      const { clock, leases } = clocked(1_000_000);
      expect(await leases.tryAcquire('c', 'one', 1_000)).toBe(true);
      clock.now += 900;
      expect(await leases.renew('c', 'one', 1_000)).toBe(true);
      clock.now += 900; // still within the renewed lease
      expect(await leases.tryAcquire('c', 'two', 1_000)).toBe(false);
      // the holder taking it again renews it
      expect(await leases.tryAcquire('c', 'one', 1_000)).toBe(true);
      clock.now += 1_001; // one stopped renewing
      expect(await leases.holder('c', 1_000)).toBeUndefined();
      expect(await leases.tryAcquire('c', 'two', 1_000)).toBe(true);
      expect(await leases.holder('c', 1_000)).toBe('two');
      // the old holder learns it lost the lease, and cannot release it
      expect(await leases.renew('c', 'one', 1_000)).toBe(false);
      expect(await leases.release('c', 'one')).toBe(false);
      expect(await leases.holder('c', 1_000)).toBe('two');
    });

    it('gives an expired lease to exactly one of ten concurrent takers', async () => {
      const { clock, leases } = clocked(2_000_000);
      expect(await leases.tryAcquire('d', 'crashed', 1_000)).toBe(true);
      clock.now += 5_000;
      const winner = await oneOfTen(h => leases.tryAcquire('d', h, 1_000));
      expect(await leases.holder('d', 1_000)).toBe(winner);
    });

    it('writes extra columns with the lease', async () => {
      const leases = createLeases(knex, { table: 'test_leases' });
      await knex('test_leases').insert({
        name: 'e',
        holder: 'old',
        expires_at: 0,
        flag: true,
      });
      expect(
        await leases.tryAcquire('e', 'new', 1_000, { set: { flag: false } }),
      ).toBe(true);
      const row = await knex('test_leases').where('name', 'e').first();
      expect(row.holder).toBe('new');
      expect(Boolean(row.flag)).toBe(false);
    });
  });

  describe('row-columns, renewed-at', () => {
    const items = () =>
      createLeases(knex, {
        table: 'test_items',
        rows: 'row-columns',
        columns: { name: 'id', holder: 'token', time: 'claimed_at' },
        time: 'renewed-at',
      });
    const ready = (q: Knex.QueryBuilder) =>
      q.whereIn('state', ['ready', 'working']);

    it('claims an existing row once, with its state; never inserts', async () => {
      await knex('test_items').insert([
        { id: 1, state: 'ready' },
        { id: 2, state: 'done' },
      ]);
      const leases = items();
      const claim = (itemId: number, token: string, now: number) =>
        leases.tryAcquire(itemId, token, 1_000, {
          now,
          where: ready,
          set: { state: 'working' },
        });
      const winner = await oneOfTen(h => claim(1, h, 5_000));
      expect(await knex('test_items').where('id', 1).first()).toMatchObject({
        state: 'working',
        token: winner,
      });
      // a row in another state is not claimed, a missing row is not created
      expect(await claim(2, 'x', 5_000)).toBe(false);
      expect(await claim(3, 'x', 5_000)).toBe(false);
      expect(await knex('test_items').where('id', 3)).toEqual([]);
      // listing free work: the claimed row is not free until it is stale
      const free = async (now: number) =>
        (
          await knex('test_items')
            .where(leases.whereFree(1_000, now))
            .orderBy('id')
        ).map(r => r.id);
      expect(await free(5_500)).toEqual([2]);
      expect(await leases.renew(1, winner, 1_000, { now: 5_800 })).toBe(true);
      expect(await claim(1, 'late', 6_500)).toBe(false);
      expect(await free(6_801)).toEqual([1, 2]);
      expect(await claim(1, 'late', 6_801)).toBe(true);
      expect(await leases.renew(1, winner, 1_000, { now: 6_900 })).toBe(false);
      // release empties the columns and writes the new state
      expect(
        await leases.release(1, 'late', {
          where: q => q.where('state', 'working'),
          set: { state: 'done' },
        }),
      ).toBe(true);
      expect(await knex('test_items').where('id', 1).first()).toMatchObject({
        state: 'done',
        token: null,
        claimed_at: null,
      });
    });
  });
});
