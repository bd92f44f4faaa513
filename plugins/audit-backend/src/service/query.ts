import { InputError } from '@backstage/errors';
import { MAX_PAGE_SIZE } from '@opsdeck/plugin-audit-node';
import type { AuditEventQuery } from '@opsdeck/plugin-opsdeck-common';
import { coded } from '@opsdeck/plugin-opsdeck-node';

/** The filters of a list or an export (no cursor, no page size). */
export type Filters = Omit<AuditEventQuery, 'before' | 'limit'>;

// RFC 3339 / ISO 8601 date and time with an offset: 2026-03-01T10:00:00Z,
// 2026-03-01T18:00+08:00, fractions of a second allowed
const TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** `value` as an ISO 8601 time (UTC), or undefined when it is none. */
export function parseTime(value: string): string | undefined {
  const m = TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, oh, om] = m
    .slice(1)
    .map(part => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    oh > 23 ||
    om > 59
  ) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * The filters of a query, its times checked here (the spec leaves them to
 * this check, so that the refusal carries a code the portal translates):
 * `audit-time-invalid` (with `field` and `value`) for a time that is not an
 * ISO 8601 time with an offset, `audit-time-range-reversed` (with `from`
 * and `to`) when `from` is not before `to`.
 */
export function filtersOf(q: Filters): Filters {
  const times: { from?: string; to?: string } = {};
  for (const field of ['from', 'to'] as const) {
    const value = q[field];
    if (value === undefined) continue;
    times[field] = parseTime(value);
    if (times[field] === undefined) {
      throw coded(
        new InputError(
          `Invalid '${field}' ${JSON.stringify(
            value,
          )}, expected an ISO 8601 time with an offset such as 2026-03-01T10:00:00Z`,
        ),
        'audit-time-invalid',
        { field, value },
      );
    }
  }
  if (times.from && times.to && times.from >= times.to) {
    throw coded(
      new InputError(
        `'from' (${times.from}) must be before 'to' (${times.to})`,
      ),
      'audit-time-range-reversed',
      { from: times.from, to: times.to },
    );
  }
  return {
    actor: q.actor,
    action: q.action,
    plugin: q.plugin,
    target: q.target,
    status: q.status,
    outcome: q.outcome,
    from: times.from,
    to: times.to,
  };
}

/**
 * The page size of a list: 1 to MAX_PAGE_SIZE, else refused with
 * `audit-page-size-invalid` (with `max`).
 */
export function pageSizeOf(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw coded(
      new InputError(
        `Invalid 'limit' ${limit}, expected a page size from 1 to ${MAX_PAGE_SIZE}`,
      ),
      'audit-page-size-invalid',
      { max: MAX_PAGE_SIZE },
    );
  }
  return limit;
}
