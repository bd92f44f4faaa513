import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';

/** Columns of the audit CSV export, in order. */
export const CSV_COLUMNS = [
  'id',
  'time',
  'outcome',
  'actor',
  'via',
  'action',
  'plugin',
  'target',
  'status',
  'severity',
  'error',
  'ip',
  'requestId',
  'meta',
] as const;

/**
 * One CSV field (RFC 4180 quoting). Text a spreadsheet would run as a formula
 * (a leading =, +, -, @, tab or CR) is prefixed with a quote: audit rows hold
 * names and paths that callers chose.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (Array.isArray(value)) text = value.join(' ');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One event as a CSV line (without the line break). */
export function csvLine(event: AuditEvent): string {
  return CSV_COLUMNS.map(c => csvField(event[c])).join(',');
}
