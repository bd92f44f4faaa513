import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import type { SlowQuery } from '../engines/types';
import { applySqlMigrations } from './migrations';
import {
  ChangePatch,
  ChangeStatus,
  InstanceException,
  QueryLogEntry,
  SlowQuerySnapshot,
  SqlChange,
  SqlStore,
  StatementRun,
} from './SqlStore';

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toChange(row: any): SqlChange {
  return {
    id: row.id,
    instanceRef: row.instance_ref,
    database: opt(row.database_name),
    title: row.title,
    sql: row.sql,
    submitter: row.submitter,
    reason: opt(row.reason),
    status: row.status,
    review: JSON.parse(row.review),
    approverGroups: JSON.parse(row.approver_groups),
    approvals: JSON.parse(row.approvals),
    scheduledAt:
      row.scheduled_at === null || row.scheduled_at === undefined
        ? undefined
        : iso(row.scheduled_at),
    scheduledBy: opt(row.scheduled_by ?? null),
    executedBy: opt(row.executed_by),
    error: opt(row.error),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export class DatabaseSqlStore implements SqlStore {
  static async create(options: { database: DatabaseService }) {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) await applySqlMigrations(knex);
    return new DatabaseSqlStore(knex);
  }

  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async createChange(c: SqlChange) {
    const now = this.now();
    await this.knex('sql_changes').insert({
      id: c.id,
      instance_ref: c.instanceRef,
      database_name: c.database ?? null,
      title: c.title,
      sql: c.sql,
      submitter: c.submitter,
      reason: c.reason ?? null,
      status: c.status,
      review: JSON.stringify(c.review),
      approver_groups: JSON.stringify(c.approverGroups),
      approvals: JSON.stringify(c.approvals),
      created_at: now,
      updated_at: now,
    });
  }

  async getChange(id: string) {
    const row = await this.knex('sql_changes').where({ id }).first();
    return row ? toChange(row) : undefined;
  }

  async listChanges(filter: { instanceRef?: string; limit: number }) {
    const q = this.knex('sql_changes')
      .orderBy('created_at', 'desc')
      .limit(filter.limit);
    if (filter.instanceRef) q.where({ instance_ref: filter.instanceRef });
    return (await q).map(toChange);
  }

  async updateChange(id: string, from: ChangeStatus[], patch: ChangePatch) {
    const update: Record<string, unknown> = { updated_at: this.now() };
    if (patch.status) update.status = patch.status;
    // claiming a change for execution (or rollback) starts its heartbeat
    if (patch.status === 'executing')
      update.executing_heartbeat_at = update.updated_at;
    if (patch.approvals) update.approvals = JSON.stringify(patch.approvals);
    if (patch.executedBy !== undefined) update.executed_by = patch.executedBy;
    if (patch.error !== undefined) update.error = patch.error;
    if (patch.scheduledAt !== undefined) {
      update.scheduled_at = patch.scheduledAt
        ? new Date(patch.scheduledAt).getTime()
        : null;
    }
    if (patch.scheduledBy !== undefined)
      update.scheduled_by = patch.scheduledBy || null;
    const n = await this.knex('sql_changes')
      .where({ id })
      .whereIn('status', from)
      .update(update);
    return n === 1;
  }

  async listDueChanges(now: Date, limit: number) {
    const rows = await this.knex('sql_changes')
      .where({ status: 'scheduled' })
      .where('scheduled_at', '<=', now.getTime())
      .orderBy('scheduled_at')
      .limit(limit)
      .select('id');
    return rows.map(r => String(r.id));
  }

  async heartbeat(id: string) {
    await this.knex('sql_changes')
      .where({ id, status: 'executing' })
      .update({ executing_heartbeat_at: this.now() });
  }

  /** The heartbeat, or for rows executing before the column existed, the last update. */
  private staleBefore(q: Knex.QueryBuilder, before: Date) {
    return q.where(w =>
      w
        .where('executing_heartbeat_at', '<', before.getTime())
        .orWhere(o =>
          o
            .whereNull('executing_heartbeat_at')
            .where('updated_at', '<', before.getTime()),
        ),
    );
  }

  async listStaleExecuting(before: Date) {
    const rows = await this.staleBefore(
      this.knex('sql_changes').where({ status: 'executing' }).select('id'),
      before,
    ).orderBy('updated_at');
    return rows.map((r: any) => String(r.id));
  }

  async failStaleExecuting(id: string, before: Date, error: string) {
    const n = await this.staleBefore(
      this.knex('sql_changes').where({ id, status: 'executing' }),
      before,
    ).update({ status: 'failed', error, updated_at: this.now() });
    return n === 1;
  }

  async saveSlowQuerySnapshot(
    instanceRef: string,
    engine: string,
    statements: SlowQuery[],
    at: Date,
  ) {
    await this.knex.transaction(async tx => {
      await tx('sql_slow_query_statements')
        .where({ instance_ref: instanceRef })
        .delete();
      if (statements.length > 0) {
        await tx('sql_slow_query_statements').insert(
          statements.map((s, rank) => ({
            instance_ref: instanceRef,
            rank,
            statement: s.statement,
            calls: s.calls,
            total_ms: s.totalMs,
            mean_ms: s.meanMs,
            rows: s.rows ?? null,
          })),
        );
      }
      await tx('sql_slow_query_snapshots')
        .insert({
          instance_ref: instanceRef,
          engine,
          taken_at: at.getTime(),
          attempted_at: at.getTime(),
          error: null,
        })
        .onConflict('instance_ref')
        .merge();
      // two refreshes in the same millisecond keep the later statements
      await tx('sql_slow_query_history')
        .insert({
          instance_ref: instanceRef,
          taken_at: at.getTime(),
          engine,
          statements: JSON.stringify(statements),
        })
        .onConflict(['instance_ref', 'taken_at'])
        .merge();
    });
  }

  async listSlowQueryHistory(instanceRef: string, limit: number) {
    const rows = await this.knex('sql_slow_query_history')
      .where({ instance_ref: instanceRef })
      .orderBy('taken_at', 'desc')
      .limit(limit)
      .select('taken_at');
    return rows.map(r => iso(r.taken_at));
  }

  async getSlowQueryHistorySnapshot(
    instanceRef: string,
    takenAt: Date,
  ): Promise<SlowQuerySnapshot | undefined> {
    const row = await this.knex('sql_slow_query_history')
      .where({ instance_ref: instanceRef, taken_at: takenAt.getTime() })
      .first();
    if (!row) return undefined;
    return {
      instanceRef,
      engine: row.engine,
      takenAt: iso(row.taken_at),
      attemptedAt: iso(row.taken_at),
      statements: JSON.parse(row.statements),
    };
  }

  async pruneSlowQueryHistory(before: Date) {
    return this.knex('sql_slow_query_history')
      .where('taken_at', '<', before.getTime())
      .delete();
  }

  async saveSlowQueryError(
    instanceRef: string,
    engine: string,
    error: string,
    at: Date,
  ) {
    await this.knex('sql_slow_query_snapshots')
      .insert({
        instance_ref: instanceRef,
        engine,
        taken_at: null,
        attempted_at: at.getTime(),
        error,
      })
      .onConflict('instance_ref')
      .merge(['engine', 'attempted_at', 'error']);
  }

  async getSlowQuerySnapshot(
    instanceRef: string,
  ): Promise<SlowQuerySnapshot | undefined> {
    const row = await this.knex('sql_slow_query_snapshots')
      .where({ instance_ref: instanceRef })
      .first();
    if (!row) return undefined;
    const statements = await this.knex('sql_slow_query_statements')
      .where({ instance_ref: instanceRef })
      .orderBy('rank');
    return {
      instanceRef,
      engine: row.engine,
      takenAt: row.taken_at === null ? undefined : iso(row.taken_at),
      attemptedAt: iso(row.attempted_at),
      error: opt(row.error),
      statements: statements.map(s => ({
        statement: s.statement,
        calls: Number(s.calls),
        totalMs: Number(s.total_ms),
        meanMs: Number(s.mean_ms),
        rows: s.rows === null ? undefined : Number(s.rows),
      })),
    };
  }

  async saveRun(changeId: string, run: StatementRun) {
    const row = {
      change_id: changeId,
      idx: run.index,
      status: run.status,
      affected_rows: run.affectedRows ?? null,
      duration_ms: run.durationMs ?? null,
      error: run.error ?? null,
      backup: run.backup ? JSON.stringify(run.backup) : null,
      rollback_sql: run.rollbackSql ?? null,
    };
    await this.knex('sql_change_statements')
      .insert(row)
      .onConflict(['change_id', 'idx'])
      .merge();
  }

  async listRuns(changeId: string): Promise<StatementRun[]> {
    const rows = await this.knex('sql_change_statements')
      .where({ change_id: changeId })
      .orderBy('idx');
    return rows.map(r => ({
      index: Number(r.idx),
      status: r.status,
      affectedRows:
        r.affected_rows === null ? undefined : Number(r.affected_rows),
      durationMs: r.duration_ms === null ? undefined : Number(r.duration_ms),
      error: opt(r.error),
      backup: r.backup ? JSON.parse(r.backup) : undefined,
      rollbackSql: opt(r.rollback_sql),
    }));
  }

  async logQuery(e: QueryLogEntry) {
    await this.knex('sql_query_log').insert({
      user_ref: e.userRef,
      instance_ref: e.instanceRef,
      database_name: e.database ?? null,
      statement: e.statement,
      row_count: e.rowCount ?? null,
      duration_ms: e.durationMs ?? null,
      error: e.error ?? null,
      created_at: this.now(),
    });
  }

  async listQueryLog(filter: { instanceRef?: string; limit: number }) {
    const q = this.knex('sql_query_log')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.instanceRef) q.where({ instance_ref: filter.instanceRef });
    return (await q).map(r => ({
      id: Number(r.id),
      userRef: r.user_ref,
      instanceRef: r.instance_ref,
      database: opt(r.database_name),
      statement: r.statement,
      rowCount: r.row_count === null ? undefined : Number(r.row_count),
      durationMs: r.duration_ms === null ? undefined : Number(r.duration_ms),
      error: opt(r.error),
      createdAt: iso(r.created_at),
    }));
  }

  async getInstanceException(instanceRef: string) {
    const row = await this.knex('sql_instance_exceptions')
      .where({ instance_ref: instanceRef })
      .first();
    return row
      ? {
          instanceRef: row.instance_ref,
          reason: row.reason,
          setBy: row.set_by,
          setAt: iso(row.set_at),
        }
      : undefined;
  }

  async setInstanceException(e: InstanceException) {
    await this.knex('sql_instance_exceptions')
      .insert({
        instance_ref: e.instanceRef,
        reason: e.reason,
        set_by: e.setBy,
        set_at: new Date(e.setAt).getTime(),
      })
      .onConflict('instance_ref')
      .merge();
  }

  async clearInstanceException(instanceRef: string) {
    const deleted = await this.knex('sql_instance_exceptions')
      .where({ instance_ref: instanceRef })
      .delete();
    return deleted > 0;
  }
}
