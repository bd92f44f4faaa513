import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import { AuditLogService, AuditScanQuery } from './AuditLogService';
import { type AuditRow as Row, rowToEvent } from './auditRows';

const COLUMNS = [
  'id',
  'occurred_at',
  'plugin',
  'action',
  'severity',
  'status',
  'outcome',
  'actor',
  'via',
  'target',
  'meta',
];

/**
 * {@link AuditLogService} on the audit plugin's database (the
 * `audit_events` table that plugins/audit-backend creates and fills). It
 * never writes and never migrates.
 */
export class DatabaseAuditLog implements AuditLogService {
  constructor(private readonly db: Knex) {}

  async scan(
    query: AuditScanQuery,
    onBatch: (events: AuditEvent[]) => Promise<void> | void,
  ): Promise<number> {
    const size = Math.max(1, Math.min(query.batchSize ?? 5000, 20_000));
    let after: number | undefined;
    let total = 0;
    for (;;) {
      const q = this.db<Row>('audit_events')
        .select(...COLUMNS)
        .where('occurred_at', '>=', query.from)
        .andWhere('occurred_at', '<', query.to);
      if (query.actions) q.whereIn('action', query.actions);
      if (query.status) q.where('status', query.status);
      if (after !== undefined) q.where('id', '>', after);
      const rows: Row[] = await q.orderBy('id', 'asc').limit(size);
      if (rows.length === 0) return total;
      total += rows.length;
      after = Number(rows[rows.length - 1].id);
      await onBatch(rows.map(rowToEvent));
      if (rows.length < size) return total;
    }
  }
}
