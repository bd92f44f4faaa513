import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { SlowQuery } from './engines/types';
import type { ReviewResult } from './review/reviewSql';

/** Domain types of the sql plugin: changes, their runs, the query log, snapshots. */

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

/** Who is acting: their entity ref and the refs they own (user + groups). */
export interface Actor {
  userRef: string;
  ownership: string[];
  credentials: BackstageCredentials;
  /** May see masked data in clear (opsdeck.sql.data.unmask). */
  unmask?: boolean;
}

export interface ConsoleLimits {
  maxRows: number;
  timeoutMs: number;
}

/**
 * An admin's decision that the query console and review of an instance may
 * use a read credential that can write or is privileged (audited, shown on
 * the entity page).
 */
export interface InstanceException {
  instanceRef: string;
  reason: string;
  setBy: string;
  setAt: string;
}

/** What to do when a console query filters on a masked column. */
export type MaskedFilterPolicy = 'refuse' | 'audit';
