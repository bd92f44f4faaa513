import type { Knex } from './migrations';

/** What the alerting last saw of one job. */
export interface JobState {
  jobKey: string;
  lastNumber: number;
  failing: boolean;
  lastCause?: string;
  /** The commit of the newest failed build (while failing). */
  lastCommit?: string;
}

/** One row of the alert gate. */
export interface AlertClaim {
  jobKey: string;
  number: number;
  kind: 'failure' | 'recovery';
  entityRef: string;
  cause?: string;
  /** The build's commit (revision), when the CI system said it. */
  commit?: string;
  /** A recovery that passed on the very commit that had failed. */
  flaky?: boolean;
}

/** How often a cause's failure was followed directly by a success. */
export interface FlakyCount {
  cause: string;
  count: number;
}

/**
 * The alerting's memory in the plugin's database: the last completed build
 * seen per job (`cicd_job_state`) and the alert gate (`cicd_alerts`, one row
 * per job and build). Every decision that could send twice is one atomic
 * statement, so several replicas (or a restart) alert once.
 */
export class AlertStore {
  constructor(private readonly knex: Knex) {}

  async state(jobKey: string): Promise<JobState | undefined> {
    const row = await this.knex('cicd_job_state')
      .where({ job_key: jobKey })
      .first();
    return row
      ? {
          jobKey,
          lastNumber: Number(row.last_number),
          failing: Boolean(row.failing),
          lastCause: row.last_cause ?? undefined,
          lastCommit: row.last_commit ?? undefined,
        }
      : undefined;
  }

  /**
   * Records the first notice of a job (its newest completed build) unless a
   * state exists already; true when this call created it.
   */
  async firstNotice(state: JobState, now = Date.now()): Promise<boolean> {
    const rows = await this.knex('cicd_job_state')
      .insert(this.row(state, now))
      .onConflict('job_key')
      .ignore()
      .returning('job_key');
    return rows.length > 0;
  }

  /**
   * Moves a job's state to a newer build; a build older than (or equal to)
   * the recorded one changes nothing (builds seen out of order, or by a
   * replica that lagged behind).
   */
  async advance(state: JobState, now = Date.now()): Promise<void> {
    const updated = await this.knex('cicd_job_state')
      .where({ job_key: state.jobKey })
      .andWhere('last_number', '<', state.lastNumber)
      .update({
        last_number: state.lastNumber,
        failing: state.failing,
        last_cause: state.lastCause ?? null,
        last_commit: state.lastCommit ?? null,
        updated_at: now,
      });
    if (updated === 0) await this.firstNotice(state, now);
  }

  /**
   * Moves a job's state from the build it records (`from`) to the next one,
   * as ONE conditional statement (`update ... where job_key = ? and
   * last_number = from`): of observers moving the same job at once (two
   * builds ending close together, posted to two replicas) exactly one
   * moves it from a given state; the others see `moved: false`, read the
   * state again and decide again on it. The alert the move decided (its
   * gate row and outbox row, `andThen`) is written in the same transaction:
   * the move and its alert happen together or not at all, and no decision
   * is taken on a state someone else already moved on from.
   */
  async transition(
    from: number,
    next: JobState,
    alert?: { claim: AlertClaim; andThen?: (trx: Knex) => Promise<void> },
    now = Date.now(),
  ): Promise<{ moved: boolean; claimed: boolean }> {
    return this.knex.transaction(async t => {
      const trx = t as unknown as Knex;
      const moved = await trx('cicd_job_state')
        .where({ job_key: next.jobKey, last_number: from })
        .update({
          last_number: next.lastNumber,
          failing: next.failing,
          last_cause: next.lastCause ?? null,
          last_commit: next.lastCommit ?? null,
          updated_at: now,
        });
      if (!moved) return { moved: false, claimed: false };
      if (!alert) return { moved: true, claimed: false };
      const claimed = await this.insertGate(trx, alert.claim, now);
      if (claimed && alert.andThen) await alert.andThen(trx);
      return { moved: true, claimed };
    });
  }

  private async insertGate(db: Knex, alert: AlertClaim, now: number) {
    const rows = await db('cicd_alerts')
      .insert({
        job_key: alert.jobKey,
        number: alert.number,
        kind: alert.kind,
        entity_ref: alert.entityRef,
        cause: alert.cause ?? null,
        commit: alert.commit ?? null,
        flaky: alert.flaky ?? false,
        created_at: now,
      })
      .onConflict(['job_key', 'number'])
      .ignore()
      .returning('job_key');
    return rows.length > 0;
  }

  /**
   * The gate: claims the alert of one build with a single insert that does
   * nothing when the row exists. True for exactly one caller per job and
   * build, whatever the number of replicas racing. `andThen` runs in the
   * same transaction when this call won (the alert's outbox row): the gate
   * row and the alert are written together or not at all.
   */
  async claim(
    alert: AlertClaim,
    now = Date.now(),
    andThen?: (trx: Knex) => Promise<void>,
  ): Promise<boolean> {
    const insert = (db: Knex) => this.insertGate(db, alert, now);
    if (!andThen) return insert(this.knex);
    return this.knex.transaction(async trx => {
      const won = await insert(trx as unknown as Knex);
      if (won) await andThen(trx as unknown as Knex);
      return won;
    });
  }

  /**
   * Flaky causes: per cause, how many failures located to it were followed
   * by a success of the same job on the SAME commit (revision): the build
   * failed and passed without a change. A success on another commit is a
   * fix, not flakiness; builds without a commit are never counted. Most
   * frequent first.
   */
  async flaky(entityRef?: string): Promise<FlakyCount[]> {
    const q = this.knex('cicd_alerts')
      .where({ kind: 'recovery', flaky: true })
      .whereNotNull('cause')
      .select('cause')
      .count({ n: '*' })
      .groupBy('cause')
      .orderBy([
        { column: 'n', order: 'desc' },
        { column: 'cause', order: 'asc' },
      ]);
    if (entityRef) q.andWhere({ entity_ref: entityRef });
    const rows = (await q) as unknown as {
      cause: string;
      n: number | string;
    }[];
    return rows.map(r => ({ cause: r.cause, count: Number(r.n) }));
  }

  private row(state: JobState, now: number) {
    return {
      job_key: state.jobKey,
      last_number: state.lastNumber,
      failing: state.failing,
      last_cause: state.lastCause ?? null,
      last_commit: state.lastCommit ?? null,
      updated_at: now,
    };
  }
}
