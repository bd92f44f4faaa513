import { FINAL_HOST_STATES } from '@opsdeck/plugin-config-common';
import { createLeases, type Leases } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';

/** A runner that has not renewed its lease for this long is gone (crashed or stopped). */
export const RUNNER_TTL_MS = 60_000;
/** How often a runner renews the leases of the releases it runs. */
export const RUNNER_RENEW_MS = 15_000;

/** Release states a backend works on (its lease renewed): a push, its abort, a reload step. */
const RUN_STATES = ['running', 'aborting', 'reloading'];

const LEASE = {
  table: 'config_releases',
  rows: 'row-columns',
  columns: { name: 'id', holder: 'runner', time: 'runner_renewed_at' },
  time: 'renewed-at',
} as const;

/**
 * Which backend replica runs a release: a lease on the release row
 * (opsdeck-node's `createLeases`; `runner`, `runner_renewed_at`) taken when
 * the release starts running (created, or continued after a pause),
 * renewed while it runs and emptied when it pauses. Replicas sharing one
 * database tell a release another live replica runs from one whose runner
 * is gone, by the database's clock.
 */
export class ReleaseRunners {
  private readonly leases: Leases;

  /** `runner`: this backend's stable instance name (opsdeck-node backendInstanceName). */
  constructor(private readonly knex: Knex, readonly runner: string) {
    this.leases = createLeases(knex, LEASE);
  }

  /**
   * Takes the release's lease for this runner, in `tx` (the statement
   * that makes it running), narrowed by `where` and writing `set` (one
   * statement). False when not taken.
   */
  take(
    tx: Knex,
    id: number,
    options?: { where?: (q: Knex.QueryBuilder) => void; set?: object },
  ): Promise<boolean> {
    const leases = tx === this.knex ? this.leases : createLeases(tx, LEASE);
    return leases.tryAcquire(id, this.runner, RUNNER_TTL_MS, {
      where: options?.where,
      set: options?.set as Record<string, unknown> | undefined,
    });
  }

  /**
   * Renews the lease while the release runs, every RUNNER_RENEW_MS, until
   * the returned function is called. `lost` is told once when another
   * replica took it (it ended the release as interrupted).
   */
  keep(id: number, lost: () => void): () => void {
    const timer = setInterval(() => {
      this.renew(id)
        .then(ok => {
          if (!ok) {
            clearInterval(timer);
            lost();
          }
        })
        .catch(() => undefined);
    }, RUNNER_RENEW_MS);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  /** Renews this runner's lease on a running, aborting or reloading release; false when it is no longer its. */
  renew(id: number): Promise<boolean> {
    return this.leases.renew(id, this.runner, RUNNER_TTL_MS, {
      where: q => q.whereIn('status', RUN_STATES),
    });
  }

  /**
   * Releases cut short: running, aborting or reloading ones whose runner is gone (its
   * lease not renewed for RUNNER_TTL_MS, by the database's clock, or never
   * taken) or, at start (`ownPrevious`, default), is this backend's own
   * previous process (same instance name). The periodic sweep passes
   * `ownPrevious: false`: this backend's own releases run.
   * A release another live replica runs is left alone. Claimed in ONE
   * statement (of two replicas starting together, one ends each release):
   * the release failed (aborted, when a person had aborted it); then its
   * hosts never started failed (aborted), those cut mid-push failed (the
   * host may hold the new or the previous file; drift shows which).
   * Returns how many releases.
   */
  async failInterrupted(
    options: { ownPrevious?: boolean } = {},
  ): Promise<number> {
    const own = options.ownPrevious ?? true;
    return this.knex.transaction(async tx => {
      const now = Date.now();
      const rows: Array<{ id: number; status: string }> = await tx(LEASE.table)
        .whereIn('status', RUN_STATES)
        .andWhere(q =>
          q
            .where(this.leases.whereFree(RUNNER_TTL_MS))
            .orWhere(o =>
              own ? o.where('runner', this.runner) : o.whereRaw('1 = 0'),
            ),
        )
        .update({
          status: tx.raw(
            "CASE WHEN status = 'aborting' THEN 'aborted' ELSE 'failed' END",
          ),
          finished_at: now,
          runner: null,
          runner_renewed_at: null,
        })
        .returning(['id', 'status']);
      for (const { id, status } of rows) {
        await tx('config_release_hosts')
          .where({ release_id: id, state: 'pending' })
          .update({
            state: status === 'aborted' ? 'aborted' : 'failed',
            error: 'not pushed: interrupted by a backend restart',
            finished_at: now,
          });
        await tx('config_release_hosts')
          .where({ release_id: id })
          .whereNotIn('state', [...FINAL_HOST_STATES])
          .update({
            state: 'failed',
            error: 'interrupted by a backend restart; check drift',
            finished_at: now,
          });
      }
      return rows.length;
    });
  }
}
