import type { Knex } from 'knex';
import { databaseNowMs } from './database';

/** Narrows an acquire, renewal or release to rows that also match (e.g. a state). */
export type LeaseCondition = (query: Knex.QueryBuilder) => void;

/** Where the leases of one {@link createLeases} live. */
export type LeasesOptions = {
  /** The table holding the leases. */
  table: string;
  /**
   * `lease-table` (default): a table of leases only; a row is inserted when a
   * lease is first taken and deleted when it is released.
   * `row-columns`: the lease is a pair of columns on rows that already exist
   * (a claim on a report, a run, ...); release empties the columns.
   */
  rows?: 'lease-table' | 'row-columns';
  /** Column names (defaults `name`, `holder`, `expires_at`). */
  columns?: { name?: string; holder?: string; time?: string };
  /**
   * What the time column holds, in epoch ms of the DATABASE's clock:
   * `expires-at` (default; the lease is free once it is in the past) or
   * `renewed-at` (the lease is free once it is older than the ttl the next
   * taker gives).
   */
  time?: 'expires-at' | 'renewed-at';
};

/** Per-call options of a lease operation. */
export type LeaseCallOptions = {
  /** Only rows that also match this. */
  where?: LeaseCondition;
  /** Other columns to write in the same statement (e.g. `state: 'sending'`). */
  set?: Record<string, unknown>;
};

/** Leases on one table: which replica (holder) works on a named thing. */
export interface Leases {
  /**
   * Takes the lease `name` for `holder` for `ttlMs` when it is free, expired,
   * or already `holder`'s (then it is renewed). One atomic statement (an
   * upsert for `lease-table`, a conditional update for `row-columns`), so of
   * any number of concurrent callers exactly one gets it. True when taken.
   */
  tryAcquire(
    name: string | number,
    holder: string,
    ttlMs: number,
    options?: LeaseCallOptions,
  ): Promise<boolean>;
  /**
   * Extends `holder`'s lease by `ttlMs` from now. False when it is no longer
   * theirs (taken over after it expired, or released): stop working on it.
   */
  renew(
    name: string | number,
    holder: string,
    ttlMs: number,
    options?: LeaseCallOptions,
  ): Promise<boolean>;
  /**
   * Gives `holder`'s lease up (deletes the row, or empties the columns and
   * writes `set`). Someone else's lease is left alone. True when released.
   */
  release(
    name: string | number,
    holder: string,
    options?: LeaseCallOptions,
  ): Promise<boolean>;
  /** Who holds the lease `name` now (undefined when free or expired). */
  holder(name: string | number, ttlMs: number): Promise<string | undefined>;
  /**
   * A condition matching rows whose lease is free (for listing work), judged
   * by the database's clock when the query runs.
   */
  whereFree(ttlMs: number): LeaseCondition;
}

/**
 * One lease helper for replica coordination (upload locks, report sends, ...):
 * a lease is a row (or two columns of a row) naming its holder and a time,
 * taken in one atomic statement on PostgreSQL and SQLite, renewed by its
 * holder while it works, taken over by another replica once the holder
 * stopped renewing (crashed) for the ttl.
 *
 * Every time written or compared is the database's clock, read inside the
 * same statement that decides: replicas whose own clocks disagree (by any
 * amount) still agree on who holds a lease. A replica's clock is never used.
 *
 * @example
 * const leases = createLeases(knex, { table: 'files_upload_locks',
 *   columns: { name: 'upload_id' } });
 * if (await leases.tryAcquire(uploadId, holder, 30_000)) { ... }
 */
export function createLeases(knex: Knex, options: LeasesOptions): Leases {
  const { table } = options;
  const rows = options.rows ?? 'lease-table';
  const nameCol = options.columns?.name ?? 'name';
  const holderCol = options.columns?.holder ?? 'holder';
  const timeCol = options.columns?.time ?? 'expires_at';
  const renewedAt = options.time === 'renewed-at';
  const now = databaseNowMs(knex);
  const ms = (ttlMs: number) => {
    if (!Number.isFinite(ttlMs)) throw new TypeError('ttlMs must be finite');
    return Math.round(ttlMs);
  };

  /** The time column's value for a lease taken or renewed now. */
  const stamp = (ttlMs: number) =>
    renewedAt ? knex.raw(now) : knex.raw(`${now} + ?`, [ms(ttlMs)]);
  /** Time column values below this are expired. */
  const expiredBelow = (ttlMs: number) =>
    renewedAt ? knex.raw(`${now} - ?`, [ms(ttlMs)]) : knex.raw(now);

  const whereFree =
    (ttlMs: number): LeaseCondition =>
    q =>
      q
        .whereNull(`${table}.${timeCol}`)
        .orWhere(`${table}.${timeCol}`, '<', expiredBelow(ttlMs));

  return {
    async tryAcquire(name, holder, ttlMs, call = {}) {
      const values = {
        ...call.set,
        [holderCol]: holder,
        [timeCol]: stamp(ttlMs),
      };
      const takeable = (q: Knex.QueryBuilder) =>
        q.where(whereFree(ttlMs)).orWhere(`${table}.${holderCol}`, holder);
      if (rows === 'row-columns') {
        const query = knex(table).where(nameCol, name).andWhere(takeable);
        if (call.where) query.andWhere(call.where);
        return (await query.update(values)) === 1;
      }
      // INSERT … ON CONFLICT (name) DO UPDATE … WHERE free: a row comes back
      // only when this caller inserted or took it over.
      const upsert = knex(table)
        .insert({ [nameCol]: name, ...values })
        .onConflict(nameCol)
        .merge(values)
        .where(takeable);
      if (call.where) upsert.andWhere(call.where);
      const returned = await upsert.returning(nameCol);
      return returned.length === 1;
    },

    async renew(name, holder, ttlMs, call = {}) {
      const query = knex(table).where({ [nameCol]: name, [holderCol]: holder });
      if (call.where) query.andWhere(call.where);
      const n = await query.update({
        ...call.set,
        [timeCol]: stamp(ttlMs),
      });
      return n === 1;
    },

    async release(name, holder, call = {}) {
      const query = knex(table).where({ [nameCol]: name, [holderCol]: holder });
      if (call.where) query.andWhere(call.where);
      const n =
        rows === 'row-columns'
          ? await query.update({
              ...call.set,
              [holderCol]: null,
              [timeCol]: null,
            })
          : await query.delete();
      return n === 1;
    },

    async holder(name, ttlMs) {
      const row = await knex(table)
        .where(nameCol, name)
        .whereNotNull(holderCol)
        .andWhere(`${table}.${timeCol}`, '>=', expiredBelow(ttlMs))
        .first(holderCol);
      return row ? (row[holderCol] as string) : undefined;
    },

    whereFree,
  };
}
