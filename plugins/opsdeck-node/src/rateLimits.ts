import { CustomErrorBase } from '@backstage/errors';
import type { Response } from 'express';
import type { Knex } from 'knex';
import { databaseNowMs } from './database';
import { coded } from './edge/errorResponses';
import { createPluginMigrations } from './migrations';

const TABLE = 'opsdeck_rate_limits';

/** The counters' table, added to the calling plugin's database. */
export const rateLimitMigrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-opsdeck-node',
  tableName: 'opsdeck_rate_limits_migrations',
  folder: 'migrations/rate-limits',
});

/** A call refused by a rate limit: HTTP 429. */
export class RateLimitedError extends CustomErrorBase {
  readonly statusCode = 429;
}

/** One call's decision. */
export type RateDecision =
  | { allowed: true; hits: number }
  | { allowed: false; retryAfterSeconds: number };

/** Who is counted, and on what. */
export type RateCall = {
  /** The person (`principalRef`, e.g. `user:default/alice`). */
  person: string;
  /** What they call it on (a channel's name); one counter per subject. */
  subject?: string;
};

/** A per-person limit of one kind of call. */
export interface RateLimiter {
  /** The most calls of one person on one subject per window. */
  readonly limit: number;
  /** The window, ms. */
  readonly windowMs: number;
  /**
   * Counts the call unless the person is at the limit in the current window.
   * ONE atomic statement (a conditional upsert): of any number of parallel
   * calls at most `limit` are allowed in a window.
   */
  take(call: RateCall): Promise<RateDecision>;
  /**
   * {@link RateLimiter.take}, refusing with a coded 429 (the limiter's code,
   * `retryAfterSeconds` and `limit` details) and a `Retry-After` header.
   */
  enforce(res: Response, call: RateCall): Promise<void>;
}

/** knex.raw hands back `{ rows }` on PostgreSQL and the rows themselves on SQLite. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * A per-person rate limit kept in the CALLING plugin's database (`knex`; the
 * `opsdeck_rate_limits` table is migrated in first, see
 * {@link rateLimitMigrations}), so replicas share it. Windows are fixed and
 * judged by the database's clock. `code` is the plugin's refusal code
 * (`monitoring-rate-limited`). PostgreSQL and SQLite.
 */
export async function createRateLimiter(
  knex: Knex,
  options: { code: string; limit: number; windowMs: number },
): Promise<RateLimiter> {
  const { code, limit, windowMs } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`A rate limit is a whole number above 0, not ${limit}`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new Error(`A rate window is whole ms above 0, not ${windowMs}`);
  }
  coded(new Error(), code); // refuses a malformed code now, not at the limit
  const now = databaseNowMs(knex, 'createRateLimiter');
  await rateLimitMigrations.apply(knex);
  const keyOf = (call: RateCall) =>
    JSON.stringify([code, call.person, call.subject ?? null]);

  const take = async (call: RateCall): Promise<RateDecision> => {
    const key = keyOf(call);
    // a counter whose window is over starts again at one; one at the limit
    // within its window is left as it is and returns no row
    const over = `${TABLE}.window_started_at <= ${now} - ?`;
    const result = await knex.raw(
      `INSERT INTO ${TABLE} (key, hits, window_started_at)
       VALUES (?, 1, ${now})
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN ${over} THEN 1 ELSE ${TABLE}.hits + 1 END,
         window_started_at = CASE WHEN ${over} THEN ${now} ELSE ${TABLE}.window_started_at END
       WHERE ${TABLE}.hits < ? OR ${over}
       RETURNING hits`,
      [key, windowMs, windowMs, limit, windowMs],
    );
    const [row] = rowsOf<{ hits: number | string }>(result);
    if (row) return { allowed: true, hits: Number(row.hits) };
    const [left] = rowsOf<{ wait: number | string }>(
      await knex.raw(
        `SELECT window_started_at + ? - ${now} AS wait FROM ${TABLE} WHERE key = ?`,
        [windowMs, key],
      ),
    );
    const waitMs = Number(left?.wait ?? windowMs);
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  };

  return {
    limit,
    windowMs,
    take,
    async enforce(res, call) {
      const decision = await take(call);
      if (decision.allowed) return;
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      throw coded(
        new RateLimitedError(
          `Too many calls: at most ${limit} in ${Math.ceil(
            windowMs / 1000,
          )} seconds; try again in ${decision.retryAfterSeconds} seconds`,
        ),
        code,
        { retryAfterSeconds: decision.retryAfterSeconds, limit },
      );
    },
  };
}
