import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';

/** A row of `audit_events` as knex returns it (the reader selects fewer columns). */
export type AuditRow = {
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
  request_id?: string | null;
  ip?: string | null;
  error?: string | null;
  meta: string | null;
};

/** Stored meta back to an object (`{}` when absent or unreadable). */
export function parseMeta(text: string | null): Record<string, unknown> {
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

/** One row as an {@link AuditEvent}; columns not selected stay absent. */
export function rowToEvent(row: AuditRow): AuditEvent {
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
  if (row.request_id) event.requestId = row.request_id;
  if (row.ip) event.ip = row.ip;
  if (row.error) event.error = row.error;
  return event;
}
