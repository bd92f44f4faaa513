import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';

/** A time range of the audit log, optionally narrowed to some actions. */
export interface AuditScanQuery {
  /** Events at or after this time. */
  from: Date;
  /** Events before this time. */
  to: Date;
  /** Only these actions (auditor event ids); all when omitted. */
  actions?: string[];
  /** Only succeeded or failed events; both when omitted. */
  status?: 'succeeded' | 'failed';
  /** Events handed to the callback at once (default 5000). */
  batchSize?: number;
}

/**
 * The audit log for other backend plugins: reads every event of a time range
 * in id order, in batches, without the paging limits of the HTTP API (the
 * weekly report reads a week of events). Read-only.
 */
export interface AuditLogService {
  /** Calls `onBatch` with the matching events in id order; returns how many. */
  scan(
    query: AuditScanQuery,
    onBatch: (events: AuditEvent[]) => Promise<void> | void,
  ): Promise<number>;
}
