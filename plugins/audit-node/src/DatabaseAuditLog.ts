import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import { AuditLogService, AuditScanQuery } from './AuditLogService';

type Row = {
  id: number | string;
  occurred_at: Date | string | number;
  plugin: string;
  action: string;
  severity: string;
  status: string;
  outcome: string | null;
  actor: string;
  via: string | null;
  target: string;
  meta: string | null;
};

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

function parseMeta(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? value
      : { value };
  } catch {
    return {};
  }
}

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
      await onBatch(
        rows.map(row => {
          const event: AuditEvent = {
            id: Number(row.id),
            time: new Date(row.occurred_at).toISOString(),
            plugin: row.plugin,
            action: row.action,
            severity: row.severity,
            status: row.status as AuditEvent['status'],
            outcome: (row.outcome ?? 'success') as AuditEvent['outcome'],
            actor: row.actor,
            target: row.target,
            meta: parseMeta(row.meta),
          };
          if (row.via) event.via = row.via.split(' ').filter(Boolean);
          return event;
        }),
      );
      if (rows.length < size) return total;
    }
  }
}
