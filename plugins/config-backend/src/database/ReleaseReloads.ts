import type { Knex } from 'knex';
import type { ReleaseRunners } from './ReleaseRunners';

/**
 * The reload step of releases pushed without reload (`reload = false`):
 * such a release ends `swapped` (new files in place, not loaded), a person
 * claims its reload in one statement (`swapped → reloading`) and it ends
 * `done` or `failed`. A release in `swapped` or `reloading` holds its set.
 */
export class ReleaseReloads {
  constructor(
    private readonly knex: Knex,
    private readonly runners: ReleaseRunners,
  ) {}

  /**
   * Ends a running (or aborting) release `swapped`: some of its hosts wait
   * for their reload. False when it had ended already.
   */
  async finishPushed(id: number): Promise<boolean> {
    const n = await this.knex('config_releases')
      .where({ id })
      .whereIn('status', ['running', 'aborting'])
      .update({
        status: 'swapped',
        finished_at: Date.now(),
        // nobody runs it while it waits: the reload's claim takes the lease
        runner: null,
        runner_renewed_at: null,
      });
    return Number(n) === 1;
  }

  /** A host's swap without reload: whether a previous file was kept. */
  async markSwapped(
    releaseId: number,
    host: string,
    hadPrevious: boolean,
  ): Promise<void> {
    await this.knex('config_release_hosts')
      .where({ release_id: releaseId, host })
      .update({ state: 'swapped', had_previous: hadPrevious, error: null });
  }

  /**
   * Claims a release's reload in one statement: of two reloads (people,
   * backends) only one turns `swapped` into `reloading`, taking the
   * release's runner lease for this backend (a replica starting meanwhile
   * leaves the reload to it: ReleaseRunners.failInterrupted).
   */
  claim(id: number, by: string): Promise<boolean> {
    return this.runners.take(this.knex, id, {
      where: q => q.where('status', 'swapped'),
      set: { status: 'reloading', reload_by: by, finished_at: null },
    });
  }

  /**
   * Starts one host's reload (`swapped → reloading`, one statement);
   * undefined when it is not waiting for one. Else whether a previous file
   * was kept at its swap.
   */
  async startHost(
    releaseId: number,
    host: string,
  ): Promise<{ hadPrevious: boolean } | undefined> {
    const n = await this.knex('config_release_hosts')
      .where({ release_id: releaseId, host, state: 'swapped' })
      .update({ state: 'reloading' });
    if (Number(n) !== 1) return undefined;
    const row = await this.knex('config_release_hosts')
      .where({ release_id: releaseId, host })
      .first('had_previous');
    return { hadPrevious: Boolean(row?.had_previous) };
  }

  /** Ends a reloading release `done` or `failed`. */
  async finish(id: number, status: 'done' | 'failed'): Promise<void> {
    await this.knex('config_releases')
      .where({ id, status: 'reloading' })
      .update({
        status,
        finished_at: Date.now(),
        runner: null,
        runner_renewed_at: null,
      });
  }

  /** Whether a release of the set waits for (or runs) its reload. */
  async pending(setId: number): Promise<boolean> {
    const r = await this.knex('config_releases')
      .where({ set_id: setId })
      .whereIn('status', ['swapped', 'reloading'])
      .first('id');
    return r !== undefined;
  }
}
