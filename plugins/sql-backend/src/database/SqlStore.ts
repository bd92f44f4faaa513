import type { ReviewResult } from '../review/reviewSql';
import type { SlowQuery } from '../engines/types';

export type ChangeStatus =
  | 'pending'
  | 'rejected'
  | 'approved'
  | 'scheduled'
  | 'executing'
  | 'finished'
  | 'failed'
  | 'rolled_back'
  | 'rollback_failed';

export interface Approval {
  level: number;
  group: string;
  user: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: string;
}

/** Rows of one statement taken before it ran, enough to restore them. */
export interface StatementBackup {
  table: string;
  kind: 'update' | 'delete';
  columns: string[];
  primaryKey: string[];
  rows: (string | null)[][];
}

export interface StatementRun {
  index: number;
  status: 'done' | 'failed' | 'rolled_back';
  affectedRows?: number;
  durationMs?: number;
  error?: string;
  backup?: StatementBackup;
  rollbackSql?: string;
}

export interface SqlChange {
  id: string;
  instanceRef: string;
  database?: string;
  title: string;
  sql: string;
  submitter: string;
  reason?: string;
  status: ChangeStatus;
  review: ReviewResult;
  approverGroups: string[];
  approvals: Approval[];
  /** When a `scheduled` change runs (ISO time). */
  scheduledAt?: string;
  scheduledBy?: string;
  executedBy?: string;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

export interface QueryLogEntry {
  id?: number;
  userRef: string;
  instanceRef: string;
  database?: string;
  statement: string;
  rowCount?: number;
  durationMs?: number;
  error?: string;
  createdAt?: string;
}

export type ChangePatch = Partial<
  Pick<
    SqlChange,
    | 'status'
    | 'approvals'
    | 'executedBy'
    | 'error'
    | 'scheduledAt'
    | 'scheduledBy'
  >
>;

/** The latest slow-query snapshot of an instance. */
export interface SlowQuerySnapshot {
  instanceRef: string;
  engine: string;
  /** When `statements` were read; undefined when no refresh has succeeded yet. */
  takenAt?: string;
  /** Last refresh attempt, successful or not. */
  attemptedAt: string;
  /** Why the last attempt failed (the statements of the last success are kept). */
  error?: string;
  statements: SlowQuery[];
}

/** The sql plugin's own tables. */
export interface SqlStore {
  createChange(change: SqlChange): Promise<void>;
  getChange(id: string): Promise<SqlChange | undefined>;
  listChanges(filter: {
    instanceRef?: string;
    limit: number;
  }): Promise<SqlChange[]>;
  /** Sets fields when the status is still `from` (a compare-and-set); false when it was not. */
  updateChange(
    id: string,
    from: ChangeStatus[],
    patch: ChangePatch,
  ): Promise<boolean>;
  /** Ids of `scheduled` changes whose time has come, oldest first. */
  listDueChanges(now: Date, limit: number): Promise<string[]>;
  /** Records that the replica executing the change is alive (only while `executing`). */
  heartbeat(id: string): Promise<void>;
  /** Ids of `executing` changes whose heartbeat is older than `before`. */
  listStaleExecuting(before: Date): Promise<string[]>;
  /**
   * Marks an `executing` change `failed` with `error` if its heartbeat is
   * still older than `before` (a compare-and-set: a live executor wins).
   */
  failStaleExecuting(id: string, before: Date, error: string): Promise<boolean>;
  saveRun(changeId: string, run: StatementRun): Promise<void>;
  listRuns(changeId: string): Promise<StatementRun[]>;
  /**
   * Replaces the instance's latest snapshot with these statements, taken at
   * `at`, and keeps them in the history too.
   */
  saveSlowQuerySnapshot(
    instanceRef: string,
    engine: string,
    statements: SlowQuery[],
    at: Date,
  ): Promise<void>;
  /** Records a failed refresh; the statements of the last success stay. */
  saveSlowQueryError(
    instanceRef: string,
    engine: string,
    error: string,
    at: Date,
  ): Promise<void>;
  getSlowQuerySnapshot(
    instanceRef: string,
  ): Promise<SlowQuerySnapshot | undefined>;
  /** When the kept snapshots of an instance were taken (ISO), newest first. */
  listSlowQueryHistory(instanceRef: string, limit: number): Promise<string[]>;
  /** A kept snapshot, by the time it was taken; undefined when not kept (any more). */
  getSlowQueryHistorySnapshot(
    instanceRef: string,
    takenAt: Date,
  ): Promise<SlowQuerySnapshot | undefined>;
  /** Deletes the kept snapshots taken before `before`; returns how many. */
  pruneSlowQueryHistory(before: Date): Promise<number>;
  logQuery(entry: QueryLogEntry): Promise<void>;
  listQueryLog(filter: {
    instanceRef?: string;
    limit: number;
  }): Promise<QueryLogEntry[]>;
}
