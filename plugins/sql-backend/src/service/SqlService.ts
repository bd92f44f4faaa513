import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { instanceLogin } from '@opsdeck/plugin-sql-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import { instanceFromEntity, SqlInstance } from '../catalog/instances';
import { Masker } from '../console/masking';
import type {
  Approval,
  SlowQuerySnapshot,
  SqlChange,
  SqlStore,
} from '../database/SqlStore';
import { sqlDriver } from '../engines';
import type { ConnectionTarget, SlowQuery, SqlSession } from '../engines/types';
import {
  mongoReadOnlyQuery,
  mongoVersion,
  parseMongoRead,
} from '../engines/mongodb';
import {
  redisSlowQueries,
  redisVersion,
  runRedisCommand,
  splitRedisCommand,
} from '../engines/redis';
import { parseStatement, SqlEngine } from '../review/ast';
import type { ReviewInspector } from '../review/inspector';
import { reviewSql, ReviewResult } from '../review/reviewSql';
import { splitStatements } from '../review/splitStatements';
import { ChangeNotifier } from '../workflow/ChangeNotifier';
import { INTERVAL_ENGINES, slowQueryInterval } from './slowQueryInterval';
import { executeStatements, rollbackRuns } from '../workflow/executeChange';

/** Who is acting: their entity ref and the refs they own (user + groups). */
export interface Actor {
  userRef: string;
  ownership: string[];
  credentials: BackstageCredentials;
}

export interface ConsoleLimits {
  maxRows: number;
  timeoutMs: number;
}

/** Why a change found `executing` without a live executor is failed. */
export const INTERRUPTED_REASON =
  'interrupted: backend stopped during execution; check the instance before re-running';

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

/** The sql plugin's operations; the router adds HTTP, permissions and audit. */
export class SqlService {
  constructor(
    private readonly deps: {
      store: SqlStore;
      catalog: CatalogService;
      auth: AuthService;
      /** The vault's `getSecret`: the admin login is taken out for the instance. */
      getSecret: VaultService['getSecret'];
      masker: Masker;
      limits: ConsoleLimits;
      logger: LoggerService;
      notifications?: NotificationService;
      /** For events without a request (interrupted changes). */
      auditor?: AuditorService;
      /** How often an executing change records a heartbeat (default 30 s). */
      heartbeatMs?: number;
      slowQueries?: {
        top: number;
        timeoutMs: number;
        /** How long earlier snapshots are kept (default 7 days). */
        historyMs?: number;
      };
    },
  ) {
    this.notifier = new ChangeNotifier(deps);
  }

  private readonly notifier: ChangeNotifier;

  async listInstances(
    credentials: BackstageCredentials,
  ): Promise<SqlInstance[]> {
    const { items } = await this.deps.catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': ['database', 'cache'] } },
      { credentials },
    );
    return items
      .map(instanceFromEntity)
      .filter((i): i is SqlInstance => Boolean(i))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getInstance(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<SqlInstance> {
    const entity = await this.deps.catalog.getEntityByRef(ref, { credentials });
    const instance = entity && instanceFromEntity(entity);
    if (!instance)
      throw new NotFoundError(`No database or cache instance '${ref}'`);
    return instance;
  }

  private async target(
    instance: SqlInstance,
    database?: string,
  ): Promise<ConnectionTarget> {
    const secret = instance.credential
      ? await this.deps.getSecret(instance.credential, {
          // every connection uses the instance's admin login for now; the
          // split into db-change / db-read comes with the sql rework
          use: 'db-admin',
          for: secretTarget({
            ref: instance.ref,
            owner: instance.owner,
            system: instance.system,
            environment: instance.environment,
          }),
        })
      : undefined;
    const login = instanceLogin(instance, secret);
    return {
      ...login,
      user: login.user ?? (instance.engine === 'redis' ? 'default' : 'root'),
      database: database ?? instance.database,
    };
  }

  private sqlEngine(instance: SqlInstance): SqlEngine {
    if (instance.engine === 'redis' || instance.engine === 'mongodb') {
      throw new InputError(
        `${instance.ref} is a ${
          instance.engine === 'redis' ? 'Redis' : 'MongoDB'
        } instance: it is read through the query console only`,
      );
    }
    return instance.engine;
  }

  private async withSession<T>(
    instance: SqlInstance,
    database: string | undefined,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const driver = sqlDriver(this.sqlEngine(instance));
    const session = await driver.connect(await this.target(instance, database));
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }

  /** Reachability and server version. */
  async check(instance: SqlInstance) {
    try {
      const target = await this.target(instance);
      let version: string;
      if (instance.engine === 'redis') version = await redisVersion(target);
      else if (instance.engine === 'mongodb')
        version = await mongoVersion(target);
      else
        version = await this.withSession(instance, undefined, s =>
          sqlDriver(this.sqlEngine(instance)).version(s),
        );
      return { reachable: true, version };
    } catch (error) {
      return { reachable: false, error: (error as Error).message };
    }
  }

  /** Reviews SQL against the instance's rules, asking the instance (EXPLAIN, catalog). */
  async review(
    instance: SqlInstance,
    database: string | undefined,
    sql: string,
  ): Promise<ReviewResult> {
    if (instance.configError) throw new InputError(instance.configError);
    const engine = this.sqlEngine(instance);
    const driver = sqlDriver(engine);
    return this.withSession(instance, database, async session => {
      const inspector: ReviewInspector = {
        estimateRows: s =>
          driver.estimateRows(session, s).catch(() => undefined),
        tableInfo: t => driver.tableInfo(session, t),
      };
      return reviewSql({ engine, sql, rules: instance.reviewRules, inspector });
    });
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
    const instance = await this.getInstance(
      input.instanceRef,
      actor.credentials,
    );
    const review = await this.review(instance, input.database, input.sql);
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
      approverGroups: instance.approverGroups,
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
    return this.getChange(id);
  }

  /** Runs an approved (or scheduled) change now. */
  async execute(actor: Actor, id: string) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
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
    await this.runClaimed(change, actor.credentials);
    return this.getChange(id);
  }

  /** Sets (or moves) the time at which the scheduler runs an approved change. */
  async schedule(actor: Actor, id: string, at: Date) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
      throw new InputError('The scheduled time must be in the future');
    }
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
    return this.getChange(id);
  }

  /**
   * Takes a scheduled change back to plain `approved`. The status
   * compare-and-set is the same one the scheduler claims with, so of an
   * unschedule and a claim only one wins: once claimed the change runs.
   */
  async unschedule(id: string) {
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
    return this.getChange(id);
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
        change,
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
      const instance = await this.getInstance(change.instanceRef, credentials);
      const engine = this.sqlEngine(instance);
      outcome = await this.withHeartbeat(id, () =>
        this.withSession(instance, change.database, session =>
          executeStatements({
            driver: sqlDriver(engine),
            session,
            engine,
            statements: change.review.statements,
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
    await this.notifier.submitter(change, status, outcome.error);
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

  async rollback(actor: Actor, id: string) {
    const change = await this.getChange(id);
    if (!['finished', 'failed'].includes(change.status)) {
      throw new ConflictError(
        `Change is ${change.status}; only executed changes roll back`,
      );
    }
    if (!change.runs.some(r => r.backup)) {
      throw new ConflictError('The change has no backed-up rows to restore');
    }
    // looked up before the claim, so a missing instance cannot leave it `executing`
    const instance = await this.getInstance(
      change.instanceRef,
      actor.credentials,
    );
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
        this.withSession(instance, change.database, session =>
          rollbackRuns({
            driver: sqlDriver(this.sqlEngine(instance)),
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
      return { change: await this.getChange(id), restoredRows: restored };
    } catch (error) {
      await this.deps.store.updateChange(id, ['executing'], {
        status: 'rollback_failed',
        error: (error as Error).message,
      });
      await this.notifier.submitter(
        change,
        'rollback_failed',
        (error as Error).message,
      );
      throw error;
    }
  }

  /** Whether the actor may use the console on this instance (the annotation narrows it). */
  mayQuery(actor: Actor, instance: SqlInstance): boolean {
    if (!instance.queryAccess) return true;
    return instance.queryAccess.some(ref => actor.ownership.includes(ref));
  }

  /** A read-only, masked, limited query; always logged. */
  async query(
    actor: Actor,
    instance: SqlInstance,
    input: { database?: string; sql: string; maxRows?: number },
  ) {
    const started = Date.now();
    const maxRows = Math.min(
      input.maxRows ?? this.deps.limits.maxRows,
      this.deps.limits.maxRows,
    );
    const log = (extra: { rowCount?: number; error?: string }) =>
      this.deps.store.logQuery({
        userRef: actor.userRef,
        instanceRef: instance.ref,
        database: input.database ?? instance.database,
        statement: input.sql,
        durationMs: Date.now() - started,
        ...extra,
      });
    try {
      let columns: string[];
      let rows: (string | null)[][];
      let truncated = false;
      if (instance.engine === 'redis') {
        const reply = await runRedisCommand(
          await this.target(instance, input.database),
          splitRedisCommand(input.sql),
        );
        columns = ['value'];
        const list = Array.isArray(reply) ? reply : [reply];
        rows = list.map(v => [
          typeof v === 'string' || v === null ? v : JSON.stringify(v),
        ]);
      } else if (instance.engine === 'mongodb') {
        ({ columns, rows, truncated } = await mongoReadOnlyQuery(
          await this.target(instance, input.database),
          parseMongoRead(input.sql),
          { maxRows, timeoutMs: this.deps.limits.timeoutMs },
        ));
      } else {
        const engine = this.sqlEngine(instance);
        const statements = splitStatements(input.sql);
        if (statements.length !== 1)
          throw new InputError('Run exactly one statement');
        let ast: any;
        try {
          ast = parseStatement(engine, statements[0].sql);
        } catch (error) {
          throw new InputError(
            `Cannot parse the query: ${
              (error as Error).message.split('\n')[0]
            }`,
          );
        }
        if (ast.type !== 'select' || ast.into?.position || ast.locking_read) {
          throw new InputError(
            'The console runs SELECT statements only; changes go through a reviewed change',
          );
        }
        const res = await this.withSession(instance, input.database, s =>
          sqlDriver(engine).readOnlyQuery(s, statements[0].sql, {
            maxRows,
            timeoutMs: this.deps.limits.timeoutMs,
          }),
        );
        ({ columns, rows, truncated } = res);
      }
      const masked = this.deps.masker.apply(columns, rows);
      await log({ rowCount: rows.length });
      return {
        columns,
        rows: masked.rows,
        maskedColumns: masked.maskedColumns,
        truncated,
        durationMs: Date.now() - started,
      };
    } catch (error) {
      await log({ error: (error as Error).message });
      if ((error as Error).name === 'Error' || (error as any).code) {
        // the database refused it (read-only, timeout, syntax): the caller's problem
        throw new InputError(`The query failed: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  /** The stored snapshot of an instance (read by the refresh task). */
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
    const instances = await this.listInstances(
      await this.deps.auth.getOwnServiceCredentials(),
    );
    const refreshed: string[] = [];
    const failed: { instanceRef: string; error: string }[] = [];
    for (const instance of instances) {
      if (!instance.credential || instance.engine === 'mongodb') continue;
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
      return redisSlowQueries(await this.target(instance, database), limit);
    }
    const engine = this.sqlEngine(instance);
    return this.withSession(instance, database, s =>
      sqlDriver(engine).slowQueries(s, limit),
    );
  }
}
