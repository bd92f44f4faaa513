import type { AuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { SqlInstance } from '../catalog/instances';
import type { SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import { redisSlowQueries } from '../engines/redis';
import type { SlowQuery } from '../engines/types';
import type { SlowQuerySnapshot } from '../model';
import type { InstanceAccess } from './instanceAccess';
import { INTERVAL_ENGINES, slowQueryInterval } from './slowQueryInterval';

/** Rejects when `promise` has not settled after `ms` (the work itself is not cancelled). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${ms} ms`)),
      ms,
    );
  });
  // a late failure of the abandoned work must not become an unhandled rejection
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Slow-query reports: snapshots refreshed on a schedule with the read
 * credential (never CREATE EXTENSION), their history and the change
 * between two of them.
 */
export class SlowQueryService {
  constructor(
    private readonly deps: {
      store: SqlStore;
      access: InstanceAccess;
      auth: AuthService;
      slowQueries?: {
        top: number;
        timeoutMs: number;
        /** How long earlier snapshots are kept (default 7 days). */
        historyMs?: number;
      };
    },
  ) {}

  /** The latest snapshot, or with `takenAt` a kept earlier one (404 when not kept). */
  async slowQuerySnapshot(
    instance: SqlInstance,
    takenAt?: string,
  ): Promise<SlowQuerySnapshot | undefined> {
    if (takenAt === undefined) {
      return this.deps.store.getSlowQuerySnapshot(instance.ref);
    }
    const kept = await this.deps.store.getSlowQueryHistorySnapshot(
      instance.ref,
      new Date(takenAt),
    );
    if (!kept) {
      throw new NotFoundError(
        `No slow-query snapshot of ${instance.ref} taken at ${takenAt} is kept`,
      );
    }
    return kept;
  }

  /**
   * What ran between an earlier kept snapshot (`compareTo`: its time, or
   * `previous` for the one just before) and the snapshot at `takenAt` (or the
   * latest). PostgreSQL only: there the snapshots hold cumulative counters;
   * the MariaDB and Redis snapshots are aggregates of a bounded window of
   * slow-log entries without their times, which cannot be subtracted.
   */
  async slowQueryIntervalSnapshot(
    instance: SqlInstance,
    takenAt: string | undefined,
    compareTo: string,
  ): Promise<SlowQuerySnapshot & { comparedTo: string }> {
    if (!INTERVAL_ENGINES.includes(instance.engine)) {
      throw new InputError(
        `The change between snapshots is available for PostgreSQL only: the ${instance.engine} snapshot groups the slow-log entries present at refresh time, not cumulative counters`,
      );
    }
    const later = await this.slowQuerySnapshot(instance, takenAt);
    if (!later?.takenAt) {
      throw new NotFoundError(`${instance.ref} has no slow-query snapshot yet`);
    }
    const laterMs = new Date(later.takenAt).getTime();
    let earlierAt = compareTo;
    if (compareTo === 'previous') {
      const times = await this.slowQueryHistory(instance);
      const previous = times.find(t => new Date(t).getTime() < laterMs);
      if (!previous) {
        throw new NotFoundError(
          `No snapshot of ${instance.ref} before ${later.takenAt} is kept`,
        );
      }
      earlierAt = previous;
    } else if (!(new Date(compareTo).getTime() < laterMs)) {
      throw new InputError(
        `compareTo must be 'previous' or the time of a snapshot before ${later.takenAt}`,
      );
    }
    const earlier = (await this.slowQuerySnapshot(instance, earlierAt))!;
    return {
      ...later,
      comparedTo: earlier.takenAt!,
      statements: slowQueryInterval(earlier.statements, later.statements),
    };
  }

  /** When the kept snapshots of an instance were taken, newest first. */
  slowQueryHistory(instance: SqlInstance): Promise<string[]> {
    return this.deps.store.listSlowQueryHistory(instance.ref, 1000);
  }

  /**
   * Reads the instance's top statements now and stores them as its snapshot;
   * a failure (or no answer within the timeout) is stored as the snapshot's
   * error and the statements of the last success are kept.
   */
  async refreshSlowQuerySnapshot(
    instance: SqlInstance,
  ): Promise<SlowQuerySnapshot> {
    const { top, timeoutMs } = this.deps.slowQueries ?? {
      top: 20,
      timeoutMs: 30_000,
    };
    const at = new Date();
    try {
      const statements = await withTimeout(
        this.slowQueries(instance, undefined, top),
        timeoutMs,
        `Reading slow queries of ${instance.ref}`,
      );
      await this.deps.store.saveSlowQuerySnapshot(
        instance.ref,
        instance.engine,
        statements,
        at,
      );
    } catch (error) {
      await this.deps.store.saveSlowQueryError(
        instance.ref,
        instance.engine,
        (error as Error).message || String(error),
        at,
      );
    }
    return (await this.deps.store.getSlowQuerySnapshot(instance.ref))!;
  }

  /**
   * Refreshes the snapshot of every catalog database/cache instance with a
   * credential (MongoDB has no slow-query report), one at a time, so one
   * unreachable instance costs at most the timeout and fails alone.
   */
  async refreshAllSlowQuerySnapshots(now: Date = new Date()): Promise<{
    refreshed: string[];
    failed: { instanceRef: string; error: string }[];
    /** Kept snapshots deleted for being older than the history period. */
    pruned: number;
  }> {
    const historyMs = this.deps.slowQueries?.historyMs ?? 7 * 24 * 3600_000;
    const pruned = await this.deps.store.pruneSlowQueryHistory(
      new Date(now.getTime() - historyMs),
    );
    const instances = await this.deps.access.listInstances(
      await this.deps.auth.getOwnServiceCredentials(),
    );
    const refreshed: string[] = [];
    const failed: { instanceRef: string; error: string }[] = [];
    for (const instance of instances) {
      if (instance.engine === 'mongodb') continue;
      if (!this.deps.access.credentialFor(instance, 'db-read')) continue;
      const snapshot = await this.refreshSlowQuerySnapshot(instance);
      if (snapshot.error)
        failed.push({ instanceRef: instance.ref, error: snapshot.error });
      else refreshed.push(instance.ref);
    }
    return { refreshed, failed, pruned };
  }

  async slowQueries(
    instance: SqlInstance,
    database: string | undefined,
    limit: number,
  ): Promise<SlowQuery[]> {
    if (instance.engine === 'redis') {
      return redisSlowQueries(
        await this.deps.access.target(instance, 'db-read', database),
        limit,
      );
    }
    const engine = this.deps.access.sqlEngine(instance);
    return this.deps.access.withSession(
      instance,
      'db-read',
      database,
      undefined,
      s => sqlDriver(engine).slowQueries(s, limit),
    );
  }
}
