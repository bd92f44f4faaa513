/**
 * The sql API's records as the backend stores and answers them; the
 * backend's model re-exports them and the generated client of plugins/sql
 * imports them (sql-backend package.json, opsdeck.openapiSharedTypes).
 */

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

/** One finding: which rule, which statement, why. */
export interface ReviewFinding {
  rule: string;
  level: 'error' | 'warning';
  /** Index into `statements`; null for script-wide findings. */
  statementIndex: number | null;
  message: string;
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
