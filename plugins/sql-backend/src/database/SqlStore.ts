import type { ReviewResult } from '../review/reviewSql';

export type ChangeStatus =
  | 'pending'
  | 'rejected'
  | 'approved'
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
    patch: Partial<
      Pick<SqlChange, 'status' | 'approvals' | 'executedBy' | 'error'>
    >,
  ): Promise<boolean>;
  saveRun(changeId: string, run: StatementRun): Promise<void>;
  listRuns(changeId: string): Promise<StatementRun[]>;
  logQuery(entry: QueryLogEntry): Promise<void>;
  listQueryLog(filter: {
    instanceRef?: string;
    limit: number;
  }): Promise<QueryLogEntry[]>;
}
