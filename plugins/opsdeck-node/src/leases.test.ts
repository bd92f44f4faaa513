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

/**
 * Runs `body` on a replica whose local clock (Date.now) is `offsetMs` off the
 * real time; the helper is created inside, so it sees that clock.
 */
async function onSkewedReplica<T>(offsetMs: number, body: () => Promise<T>) {
  const real = Date.now.bind(Date);
  const skewed = jest
    .spyOn(Date, 'now')
    .mockImplementation(() => real() + offsetMs);
  try {
    return await body();
  } finally {
    skewed.mockRestore();
  }
}

const HOUR = 3_600_000;

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

  describe('clock skew between replicas', () => {
    const leaseTable = () => createLeases(knex, { table: 'test_leases' });

    it('never gives a live lease to a replica whose clock runs far ahead', async () => {
      const a = leaseTable();
      expect(await a.tryAcquire('skew-1', 'replica-a', 10_000)).toBe(true);
      await onSkewedReplica(HOUR, async () => {
        const b = leaseTable();
        expect(await b.tryAcquire('skew-1', 'replica-b', 10_000)).toBe(false);
        expect(await b.holder('skew-1', 10_000)).toBe('replica-a');
        expect(await b.renew('skew-1', 'replica-b', 10_000)).toBe(false);
        const free = await knex('test_leases')
          .where('name', 'skew-1')
          .andWhere(b.whereFree(10_000));
        expect(free).toEqual([]);
      });
      expect(await a.holder('skew-1', 10_000)).toBe('replica-a');
      expect(await a.renew('skew-1', 'replica-a', 10_000)).toBe(true);
      expect(
        (await knex('test_leases').where('name', 'skew-1')).map(r => r.holder),
      ).toEqual(['replica-a']);
    });

    it("keeps a lease live when its holder's clock runs far behind", async () => {
      await onSkewedReplica(-HOUR, async () => {
        const a = leaseTable();
        expect(await a.tryAcquire('skew-2', 'replica-a', 10_000)).toBe(true);
        expect(await a.renew('skew-2', 'replica-a', 10_000)).toBe(true);
      });
      const b = leaseTable();
      expect(await b.tryAcquire('skew-2', 'replica-b', 10_000)).toBe(false);
      expect(await b.holder('skew-2', 10_000)).toBe('replica-a');
    });

    it('never gives a live row claim to a replica whose clock runs far ahead', async () => {
      await knex('test_items').insert({ id: 100, state: 'ready' });
      const claims = () =>
        createLeases(knex, {
          table: 'test_items',
          rows: 'row-columns',
          columns: { name: 'id', holder: 'token', time: 'claimed_at' },
          time: 'renewed-at',
        });
      expect(await claims().tryAcquire(100, 'replica-a', 10_000)).toBe(true);
      await onSkewedReplica(HOUR, async () => {
        const b = claims();
        expect(await b.tryAcquire(100, 'replica-b', 10_000)).toBe(false);
        expect(await b.holder(100, 10_000)).toBe('replica-a');
        const free = await knex('test_items')
          .where('id', 100)
          .andWhere(b.whereFree(10_000));
        expect(free).toEqual([]);
      });
      expect(await knex('test_items').where('id', 100).first()).toMatchObject({
        token: 'replica-a',
      });
    });
  });

  describe('lease-table', () => {
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
      const leases = createLeases(knex, { table: 'test_leases' });
      expect(await leases.tryAcquire('c', 'one', 10_000)).toBe(true);
      expect(await leases.renew('c', 'one', 10_000)).toBe(true);
      expect(await leases.tryAcquire('c', 'two', 10_000)).toBe(false);
      // the holder taking it again renews it
      expect(await leases.tryAcquire('c', 'one', 10_000)).toBe(true);
      // one stopped renewing: its lease ran out (written, not waited for)
      await knex('test_leases').where('name', 'c').update({ expires_at: 0 });
      expect(await leases.holder('c', 10_000)).toBeUndefined();
      expect(await leases.tryAcquire('c', 'two', 10_000)).toBe(true);
      expect(await leases.holder('c', 10_000)).toBe('two');
      // the old holder learns it lost the lease, and cannot release it
      expect(await leases.renew('c', 'one', 10_000)).toBe(false);
      expect(await leases.release('c', 'one')).toBe(false);
      expect(await leases.holder('c', 10_000)).toBe('two');
    });

    it('gives an expired lease to exactly one of ten concurrent takers', async () => {
      const leases = createLeases(knex, { table: 'test_leases' });
      // a holder that crashed long ago
      await knex('test_leases').insert({
        name: 'd',
        holder: 'crashed',
        expires_at: 0,
      });
      const winner = await oneOfTen(h => leases.tryAcquire('d', h, 10_000));
      expect(await leases.holder('d', 10_000)).toBe(winner);
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
      const claim = (itemId: number, token: string) =>
        leases.tryAcquire(itemId, token, 10_000, {
          where: ready,
          set: { state: 'working' },
        });
      const winner = await oneOfTen(h => claim(1, h));
      expect(await knex('test_items').where('id', 1).first()).toMatchObject({
        state: 'working',
        token: winner,
      });
      // a row in another state is not claimed, a missing row is not created
      expect(await claim(2, 'x')).toBe(false);
      expect(await claim(3, 'x')).toBe(false);
      expect(await knex('test_items').where('id', 3)).toEqual([]);
      // listing free work: the claimed row is not free until it is stale
      const free = async () =>
        (
          await knex('test_items').where(leases.whereFree(10_000)).orderBy('id')
        ).map(r => r.id);
      expect(await free()).toEqual([2]);
      expect(await leases.renew(1, winner, 10_000)).toBe(true);
      expect(await leases.holder(1, 10_000)).toBe(winner);
      expect(await claim(1, 'late')).toBe(false);
      // the winner stopped renewing: its claim is older than the ttl
      await knex('test_items')
        .where('id', 1)
        .update({ claimed_at: knex.raw('claimed_at - ?', [60_000]) });
      expect(await leases.holder(1, 10_000)).toBeUndefined();
      expect(await free()).toEqual([1, 2]);
      expect(await claim(1, 'late')).toBe(true);
      expect(await leases.renew(1, winner, 10_000)).toBe(false);
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
