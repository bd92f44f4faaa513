import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { instanceFromEntity, SqlInstance } from '../catalog/instances';
import { Masker } from '../console/masking';
import type { Approval, SqlChange, SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import type { ConnectionTarget, SlowQuery, SqlSession } from '../engines/types';
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

/** The sql plugin's operations; the router adds HTTP, permissions and audit. */
export class SqlService {
  constructor(
    private readonly deps: {
      store: SqlStore;
      catalog: CatalogService;
      auth: AuthService;
      getSecret(
        name: string,
      ): Promise<{ type: string; username?: string; password?: string }>;
      masker: Masker;
      limits: ConsoleLimits;
      logger: LoggerService;
    },
  ) {}

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
    let password: string | undefined;
    let user = instance.loginUser;
    if (instance.credential) {
      const secret = await this.deps.getSecret(instance.credential);
      if (secret.type !== 'password') {
        throw new InputError(
          `Credential '${instance.credential}' is not a password`,
        );
      }
      password = secret.password;
      user = user ?? secret.username;
    }
    return {
      host: instance.address,
      port: instance.port,
      user: user ?? (instance.engine === 'redis' ? 'default' : 'root'),
      password,
      database: database ?? instance.database,
    };
  }

  private sqlEngine(instance: SqlInstance): SqlEngine {
    if (instance.engine === 'redis') {
      throw new InputError(
        `${instance.ref} is a Redis instance; use the Redis console`,
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
      const version =
        instance.engine === 'redis'
          ? await redisVersion(target)
          : await this.withSession(instance, undefined, s =>
              sqlDriver(instance.engine as SqlEngine).version(s),
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
    return this.getChange(id);
  }

  async execute(actor: Actor, id: string) {
    const change = await this.deps.store.getChange(id);
    if (!change) throw new NotFoundError(`No SQL change '${id}'`);
    if (
      !(await this.deps.store.updateChange(id, ['approved'], {
        status: 'executing',
        executedBy: actor.userRef,
      }))
    ) {
      throw new ConflictError(
        `Change is ${change.status}; only approved changes run`,
      );
    }
    const instance = await this.getInstance(
      change.instanceRef,
      actor.credentials,
    );
    const engine = this.sqlEngine(instance);
    let outcome: { ok: boolean; error?: string };
    try {
      outcome = await this.withSession(instance, change.database, session =>
        executeStatements({
          driver: sqlDriver(engine),
          session,
          engine,
          statements: change.review.statements,
          onRun: run => this.deps.store.saveRun(id, run),
        }),
      );
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    await this.deps.store.updateChange(id, ['executing'], {
      status: outcome.ok ? 'finished' : 'failed',
      error: outcome.error ?? '',
    });
    return this.getChange(id);
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
    if (
      !(await this.deps.store.updateChange(id, ['finished', 'failed'], {
        status: 'executing',
      }))
    ) {
      throw new ConflictError(
        'The change was changed by someone else; reload it',
      );
    }
    const instance = await this.getInstance(
      change.instanceRef,
      actor.credentials,
    );
    try {
      const restored = await this.withSession(
        instance,
        change.database,
        session =>
          rollbackRuns({
            driver: sqlDriver(this.sqlEngine(instance)),
            session,
            runs: change.runs,
          }),
      );
      for (const run of change.runs.filter(
        r => r.backup && r.status === 'done',
      )) {
        await this.deps.store.saveRun(id, { ...run, status: 'rolled_back' });
      }
      await this.deps.store.updateChange(id, ['executing'], {
        status: 'rolled_back',
      });
      return { change: await this.getChange(id), restoredRows: restored };
    } catch (error) {
      await this.deps.store.updateChange(id, ['executing'], {
        status: 'rollback_failed',
        error: (error as Error).message,
      });
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
      } else {
        const engine = instance.engine;
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

  async slowQueries(
    instance: SqlInstance,
    database: string | undefined,
    limit: number,
  ): Promise<SlowQuery[]> {
    if (instance.engine === 'redis') {
      return redisSlowQueries(await this.target(instance, database), limit);
    }
    const engine = instance.engine;
    return this.withSession(instance, database, s =>
      sqlDriver(engine).slowQueries(s, limit),
    );
  }
}
