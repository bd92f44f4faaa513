import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { randomUUID } from 'node:crypto';
import type { SqlInstance } from '../catalog/instances';
import type { Masker } from '../console/masking';
import type { SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import type { Actor, Approval, SqlChange, StatementRun } from '../model';
import type { ReviewInspector } from '../review/inspector';
import { reviewSql, type ReviewResult } from '../review/reviewSql';
import { ChangeNotifier } from '../workflow/ChangeNotifier';
import {
  executeStatements,
  rollbackRuns,
  rollbackScript,
} from '../workflow/executeChange';
import type { InstanceAccess } from './instanceAccess';

/** Why a change found `executing` without a live executor is failed. */
export const INTERRUPTED_REASON =
  'interrupted: backend stopped during execution; check the instance before re-running';

/** Environments whose changes need the instance name typed to run or roll back. */
const PROD = new Set(['prod', 'production']);

/**
 * Execute and roll back on a production instance need the instance's name
 * typed by the person (GitHub-style); the API takes it as `confirm`.
 */
export function checkProdConfirmation(
  instance: SqlInstance,
  confirm: string | undefined,
) {
  if (!PROD.has(String(instance.environment ?? '').toLowerCase())) return;
  if (confirm !== instance.name) {
    throw new InputError(
      `${instance.ref} is a production instance: type its name (${instance.name}) in "confirm" to go ahead`,
    );
  }
}

/** The change workflow: review, submit, approve, execute or schedule, roll back. */
export class ChangeService {
  private readonly notifier: ChangeNotifier;

  constructor(
    private readonly deps: {
      store: SqlStore;
      access: InstanceAccess;
      auth: AuthService;
      masker: Masker;
      logger: LoggerService;
      notifications?: NotificationService;
      auditor?: AuditorService;
      heartbeatMs?: number;
      /** Approver groups added for destructive changes when the instance names none. */
      destructiveApprovers?: string[];
    },
  ) {
    this.notifier = new ChangeNotifier(deps);
  }

  /**
   * Reviews SQL against the instance's rules, asking the instance (EXPLAIN
   * of reads, catalog) with its read credential: never a privileged login.
   */
  async review(
    instance: SqlInstance,
    database: string | undefined,
    sql: string,
    actor?: string,
  ): Promise<ReviewResult> {
    if (instance.configError) throw new InputError(instance.configError);
    const engine = this.deps.access.sqlEngine(instance);
    const driver = sqlDriver(engine);
    return this.deps.access.withSession(
      instance,
      'db-read',
      database,
      actor,
      async session => {
        const inspector: ReviewInspector = {
          estimateRows: q =>
            driver.estimateRows(session, q).catch(() => undefined),
          tableInfo: t => driver.tableInfo(session, t),
        };
        const mode = await driver.lexicalMode(session);
        return reviewSql({
          engine,
          sql,
          rules: instance.reviewRules,
          inspector,
          mode,
        });
      },
    );
  }

  async submit(
    actor: Actor,
    input: {
      instanceRef: string;
      database?: string;
      title: string;
      sql: string;
      reason?: string;
    },
  ): Promise<SqlChange> {
    const instance = await this.deps.access.getInstance(
      input.instanceRef,
      actor.credentials,
    );
    const review = await this.review(
      instance,
      input.database,
      input.sql,
      actor.userRef,
    );
    if (review.statements.length === 0)
      throw new InputError('The SQL has no statements');
    if (review.errors > 0) {
      throw new InputError(
        `Review found ${review.errors} error(s): ${review.findings
          .filter(f => f.level === 'error')
          .map(f => `[${f.rule}] ${f.message}`)
          .join('; ')}`,
      );
    }
    if (review.warnings > 0 && !input.reason?.trim()) {
      throw new InputError(
        `Review found ${review.warnings} warning(s); give a reason to submit anyway`,
      );
    }
    const destructiveApprovers =
      instance.destructiveApprovers ?? this.deps.destructiveApprovers ?? [];
    const change: SqlChange = {
      id: randomUUID(),
      instanceRef: instance.ref,
      database: input.database ?? instance.database,
      title: input.title,
      sql: input.sql,
      submitter: actor.userRef,
      reason: input.reason?.trim() || undefined,
      status: 'pending',
      review,
      approverGroups: review.destructive
        ? [...instance.approverGroups, ...destructiveApprovers]
        : instance.approverGroups,
      approvals: [],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await this.deps.store.createChange(change);
    await this.notifier.approvers(change, 0);
    return change;
  }

  async getChange(id: string) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    return { ...change, runs: await this.deps.store.listRuns(id) };
  }

  /**
   * A change as a person may see it: without the unmask permission, backed-up
   * rows, the rollback SQL made from them and error messages are masked like
   * console results.
   */
  async viewChange(id: string, actor: { unmask?: boolean }) {
    const change = await this.getChange(id);
    if (actor.unmask) return change;
    const masker = this.deps.masker;
    const engine = change.review.mode ? 'mysql' : guessEngine(change.runs);
    const driver = sqlDriver(engine);
    const runs: StatementRun[] = change.runs.map(run => {
      const masked: StatementRun = {
        ...run,
        error: run.error && masker.maskText(run.error),
      };
      if (run.backup) {
        const rows = masker.apply(run.backup.columns, run.backup.rows).rows;
        masked.backup = { ...run.backup, rows };
        masked.rollbackSql = rollbackScript(driver, masked.backup);
      }
      return masked;
    });
    return {
      ...change,
      error: change.error && masker.maskText(change.error),
      runs,
    };
  }

  /** Approves (or rejects) the current level; the last approval makes the change approved. */
  async decide(
    actor: Actor,
    id: string,
    decision: 'approved' | 'rejected',
    comment?: string,
  ) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    if (change.status !== 'pending') {
      throw new ConflictError(
        `Change is ${change.status}, not waiting for approval`,
      );
    }
    if (change.submitter === actor.userRef) {
      throw new NotAllowedError(
        'Submitters cannot approve or reject their own change',
      );
    }
    const level = change.approvals.filter(
      a => a.decision === 'approved',
    ).length;
    const group = change.approverGroups[level];
    if (!actor.ownership.includes(group)) {
      throw new NotAllowedError(
        `Approval level ${level + 1} needs a member of ${group}`,
      );
    }
    if (change.approvals.some(a => a.user === actor.userRef)) {
      throw new NotAllowedError(
        'You already approved an earlier level of this change',
      );
    }
    const approval: Approval = {
      level: level + 1,
      group,
      user: actor.userRef,
      decision,
      comment,
      at: new Date().toISOString(),
    };
    const approvals = [...change.approvals, approval];
    let status: 'rejected' | 'approved' | 'pending' = 'pending';
    if (decision === 'rejected') status = 'rejected';
    else if (approvals.length >= change.approverGroups.length)
      status = 'approved';
    if (
      !(await this.deps.store.updateChange(id, ['pending'], {
        status,
        approvals,
      }))
    ) {
      throw new ConflictError(
        'The change was changed by someone else; reload it',
      );
    }
    if (status === 'pending') await this.notifier.approvers(change, level + 1);
    else await this.notifier.submitter(change, status, comment);
    return this.viewChange(id, actor);
  }

  /** The instance of a change, after the production confirmation. */
  private async confirmedInstance(
    actor: Actor,
    change: SqlChange,
    confirm?: string,
  ) {
    const instance = await this.deps.access.getInstance(
      change.instanceRef,
      actor.credentials,
    );
    checkProdConfirmation(instance, confirm);
    return instance;
  }

  /** Runs an approved (or scheduled) change now. */
  async execute(actor: Actor, id: string, confirm?: string) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    if (!['approved', 'scheduled'].includes(change.status)) {
      throw new ConflictError(
        `Change is ${change.status}; only approved changes run`,
      );
    }
    await this.confirmedInstance(actor, change, confirm);
    // The compare-and-set is the claim: of two clicks or replicas, one wins.
    if (
      !(await this.deps.store.updateChange(id, ['approved', 'scheduled'], {
        status: 'executing',
        executedBy: actor.userRef,
      }))
    ) {
      throw new ConflictError(
        `Change is ${change.status}; only approved changes run`,
      );
    }
    await this.runClaimed(
      { ...change, executedBy: actor.userRef },
      actor.credentials,
    );
    return this.viewChange(id, actor);
  }

  /** Sets (or moves) the time at which the scheduler runs an approved change. */
  async schedule(actor: Actor, id: string, at: Date, confirm?: string) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
      throw new InputError('The scheduled time must be in the future');
    }
    await this.confirmedInstance(actor, change, confirm);
    if (
      !(await this.deps.store.updateChange(id, ['approved', 'scheduled'], {
        status: 'scheduled',
        scheduledAt: at.toISOString(),
        scheduledBy: actor.userRef,
      }))
    ) {
      throw new ConflictError(
        `Change is ${change.status}; only approved changes can be scheduled`,
      );
    }
    return this.viewChange(id, actor);
  }

  /**
   * Takes a scheduled change back to plain `approved`. The status
   * compare-and-set is the same one the scheduler claims with, so of an
   * unschedule and a claim only one wins: once claimed the change runs.
   */
  async unschedule(id: string, actor: { unmask?: boolean } = {}) {
    if (!(await this.deps.store.getChange(id))) {
      throw new NotFoundError(`No SQL change '${id}'`);
    }
    if (
      !(await this.deps.store.updateChange(id, ['scheduled'], {
        status: 'approved',
        scheduledAt: '',
        scheduledBy: '',
      }))
    ) {
      // read again: the status that won is the one to explain
      const { status } = await this.getChange(id);
      const started = !['pending', 'rejected', 'approved'].includes(status);
      throw new ConflictError(
        started
          ? `Change is ${status}: it has already been started, so its schedule can no longer be cancelled`
          : `Change is ${status}, not scheduled: there is no schedule to cancel`,
      );
    }
    return this.viewChange(id, actor);
  }

  /**
   * Runs every scheduled change whose time has come. Each one is claimed
   * with a compare-and-set of its status first, so loops on several
   * replicas (or overlapping runs) execute a change exactly once.
   */
  async runDueChanges(now: Date = new Date()): Promise<string[]> {
    const ran: string[] = [];
    for (const id of await this.deps.store.listDueChanges(now, 20)) {
      const change = await this.deps.store.getChange(id);
      if (!change) continue;
      const claimed = await this.deps.store.updateChange(id, ['scheduled'], {
        status: 'executing',
        executedBy: change.scheduledBy ?? change.submitter,
      });
      if (!claimed) continue;
      await this.runClaimed(
        { ...change, executedBy: change.scheduledBy ?? change.submitter },
        await this.deps.auth.getOwnServiceCredentials(),
      );
      ran.push(id);
    }
    return ran;
  }

  /** Executes a change already moved to `executing`, records the outcome, tells the submitter. */
  private async runClaimed(
    change: SqlChange,
    credentials: BackstageCredentials,
  ) {
    const id = change.id;
    let outcome: { ok: boolean; error?: string };
    try {
      const instance = await this.deps.access.getInstance(
        change.instanceRef,
        credentials,
      );
      const engine = this.deps.access.sqlEngine(instance);
      outcome = await this.withHeartbeat(id, () =>
        this.deps.access.withSession(
          instance,
          'db-change',
          change.database,
          change.executedBy ?? change.submitter,
          session =>
            executeStatements({
              driver: sqlDriver(engine),
              session,
              engine,
              statements: change.review.statements,
              mode: change.review.mode,
              onRun: run => this.deps.store.saveRun(id, run),
            }),
        ),
      );
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    const status = outcome.ok ? 'finished' : 'failed';
    const recorded = await this.deps.store.updateChange(id, ['executing'], {
      status,
      error: outcome.error ?? '',
    });
    if (!recorded) {
      // another replica took this run for interrupted (no heartbeat seen)
      this.deps.logger.warn(
        `SQL change ${id} ended ${status} after it had been marked interrupted`,
      );
      return;
    }
    await this.notifier.submitter(
      change,
      status,
      outcome.error && this.deps.masker.maskText(outcome.error),
    );
  }

  /**
   * Keeps the change's heartbeat fresh while `fn` runs, so other replicas
   * can tell a long statement from a replica that died mid-change.
   */
  private async withHeartbeat<T>(id: string, fn: () => Promise<T>) {
    const timer = setInterval(() => {
      this.deps.store
        .heartbeat(id)
        .catch(error =>
          this.deps.logger.warn(
            `Could not record the heartbeat of SQL change ${id}: ${error}`,
          ),
        );
    }, this.deps.heartbeatMs ?? 30_000);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Fails every change left `executing` whose heartbeat is older than
   * `staleAfterMs` (its replica stopped mid-change). Statement results are
   * kept; each one is audited and its submitter notified.
   */
  async recoverInterruptedChanges(
    staleAfterMs: number,
    now: Date = new Date(),
  ): Promise<string[]> {
    const before = new Date(now.getTime() - staleAfterMs);
    const failed: string[] = [];
    for (const id of await this.deps.store.listStaleExecuting(before)) {
      const event = await this.deps.auditor?.createEvent({
        eventId: 'sql-change-interrupted',
        severityLevel: 'high',
        meta: { changeId: id, heartbeatBefore: before.toISOString() },
      });
      try {
        // compare-and-set on the heartbeat: a live executor is never failed
        if (
          !(await this.deps.store.failStaleExecuting(
            id,
            before,
            INTERRUPTED_REASON,
          ))
        ) {
          await event?.success({ meta: { changeId: id, failed: false } });
          continue;
        }
        const change = await this.deps.store.getChange(id);
        await event?.success({
          meta: {
            changeId: id,
            failed: true,
            instanceRef: change?.instanceRef ?? null,
          },
        });
        if (change)
          await this.notifier.submitter(change, 'failed', INTERRUPTED_REASON);
        failed.push(id);
      } catch (error) {
        await event?.fail({ error: error as Error });
        throw error;
      }
    }
    return failed;
  }

  async rollback(actor: Actor, id: string, confirm?: string) {
    const change = await this.getChange(id);
    if (!['finished', 'failed'].includes(change.status)) {
      throw new ConflictError(
        `Change is ${change.status}; only executed changes roll back`,
      );
    }
    if (!change.runs.some(r => r.backup)) {
      throw new ConflictError('The change has no backed-up rows to restore');
    }
    // looked up (and confirmed) before the claim, so a refusal cannot leave it `executing`
    const instance = await this.confirmedInstance(actor, change, confirm);
    if (
      !(await this.deps.store.updateChange(id, ['finished', 'failed'], {
        status: 'executing',
      }))
    ) {
      throw new ConflictError(
        'The change was changed by someone else; reload it',
      );
    }
    try {
      const restored = await this.withHeartbeat(id, () =>
        this.deps.access.withSession(
          instance,
          'db-change',
          change.database,
          actor.userRef,
          session =>
            rollbackRuns({
              driver: sqlDriver(this.deps.access.sqlEngine(instance)),
              session,
              runs: change.runs,
            }),
        ),
      );
      for (const run of change.runs.filter(
        r => r.backup && r.status === 'done',
      )) {
        await this.deps.store.saveRun(id, { ...run, status: 'rolled_back' });
      }
      await this.deps.store.updateChange(id, ['executing'], {
        status: 'rolled_back',
      });
      await this.notifier.submitter(
        change,
        'rolled_back',
        `${restored} row(s) restored`,
      );
      return {
        change: await this.viewChange(id, actor),
        restoredRows: restored,
      };
    } catch (error) {
      const message = this.deps.masker.maskText((error as Error).message);
      await this.deps.store.updateChange(id, ['executing'], {
        status: 'rollback_failed',
        error: message,
      });
      await this.notifier.submitter(change, 'rollback_failed', message);
      throw error;
    }
  }
}

/** PostgreSQL unless the review recorded a MySQL mode (changes before modes were recorded: by quoting). */
function guessEngine(runs: StatementRun[]): 'postgresql' | 'mysql' {
  const table = runs.find(r => r.backup)?.backup?.table ?? '';
  return table.startsWith('`') ? 'mysql' : 'postgresql';
}
