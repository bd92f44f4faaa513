import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { SlowQuery } from './engines/types';
import type { ReviewResult } from './review/reviewSql';
import type { ChangeStatus } from '@opsdeck/plugin-sql-common';

/**
 * Domain types of the sql plugin: changes, their runs, the query log,
 * snapshots. Those whose wire shape is the same live in
 * @opsdeck/plugin-sql-common (re-exported here); the others say how their
 * wire twin differs.
 */
export type {
  ChangeStatus,
  InstanceException,
  QueryLogEntry,
} from '@opsdeck/plugin-sql-common';

/** Differs from the wire Approval: there `at` is optional. */
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

/** Differs from the wire Run: that never carries the `backup` rows. */
export interface StatementRun {
  index: number;
  status: 'done' | 'failed' | 'rolled_back';
  affectedRows?: number;
  durationMs?: number;
  error?: string;
  backup?: StatementBackup;
  rollbackSql?: string;
}

/** Differs from the wire Change: there `updatedAt` is optional and `review` is the wire Review. */
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

/**
 * The latest slow-query snapshot of an instance. Differs from the wire
 * SlowQuerySnapshot: that adds `ageSeconds` and `comparedTo` and makes
 * `attemptedAt` optional.
 */
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

/** What to do when a console query filters on a masked column. */
export type MaskedFilterPolicy = 'refuse' | 'audit';
