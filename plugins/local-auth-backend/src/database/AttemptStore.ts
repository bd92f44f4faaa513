import { Knex } from 'knex';
import { AttemptCounter, AttemptLimit, AttemptScope } from '../model';
import { toMs } from './dates';

const TABLE = 'local_auth_attempts';

type Row = {
  key: string;
  scope: string;
  account: string | null;
  address: string | null;
  failures: number | string;
  last_failure_at: number | string;
};

/** knex.raw hands back `{ rows }` on PostgreSQL and the rows themselves on SQLite. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Identifies one counter. */
export interface AttemptKey {
  scope: AttemptScope;
  account?: string;
  address?: string;
}

/** The primary key of a counter: scope, account and address, unambiguous. */
export function attemptKey(key: AttemptKey): string {
  return JSON.stringify([key.scope, key.account ?? null, key.address ?? null]);
}

/**
 * Failed sign-in counters. A guess must claim a slot on each of its counters before the password
 * is checked; the claim is ONE conditional upsert, so parallel guesses cannot get more slots than
 * the limit, on SQLite and PostgreSQL alike.
 */
export class AttemptStore {
  constructor(private readonly db: Knex) {}

  /**
   * Counts one attempt on `key` unless it is at its limit: the count with this attempt when the
   * slot was taken, undefined when refused. Failures older than the window are forgotten (the
   * count starts again at one).
   */
  async claim(
    key: AttemptKey,
    limit: AttemptLimit,
    now: number,
  ): Promise<number | undefined> {
    const expired = now - limit.windowMs;
    const result = await this.db.raw(
      `INSERT INTO ${TABLE} (key, scope, account, address, failures, last_failure_at)
       VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ${TABLE}.last_failure_at <= ? THEN 1 ELSE ${TABLE}.failures + 1 END,
         last_failure_at = ?
       WHERE ${TABLE}.failures < ? OR ${TABLE}.last_failure_at <= ?
       RETURNING failures`,
      [
        attemptKey(key),
        key.scope,
        key.account ?? null,
        key.address ?? null,
        now,
        expired,
        now,
        limit.max,
        expired,
      ],
    );
    const [row] = rowsOf<{ failures: number | string }>(result);
    return row ? Number(row.failures) : undefined;
  }

  /** Gives back one claimed slot (the attempt was not a failure). */
  async release(key: AttemptKey): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ key: attemptKey(key) })
      .update({
        failures: this.db.raw(
          'CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END',
        ),
      });
  }

  /** Forgets the failures of `key` (a right password ends a run of wrong ones). */
  async reset(key: AttemptKey): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ key: attemptKey(key) })
      .delete();
  }

  /** The counters that name an account (its own and per address). */
  async listForAccount(account: string): Promise<AttemptCounter[]> {
    const rows = await this.db<Row>(TABLE).where({ account });
    return rows.map(row => ({
      key: row.key,
      scope: row.scope as AttemptScope,
      account: row.account ?? undefined,
      address: row.address ?? undefined,
      failures: Number(row.failures),
      lastFailureAt: toMs(row.last_failure_at)!,
    }));
  }

  /** Forgets every counter that names the account (unlock); the number removed. */
  async clearAccount(account: string): Promise<number> {
    return this.db<Row>(TABLE).where({ account }).delete();
  }

  /** Deletes counters whose last failure is older than `before`. */
  async purge(before: number): Promise<number> {
    return this.db<Row>(TABLE).where('last_failure_at', '<', before).delete();
  }
}
