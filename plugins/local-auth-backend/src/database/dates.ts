/** SQLite hands back numbers or strings, PostgreSQL Dates. */
export function toDate(value: Date | string | number | null): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  // SQLite's CURRENT_TIMESTAMP is 'YYYY-MM-DD HH:MM:SS' in UTC.
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  const asNumber = Number(value);
  return Number.isFinite(asNumber) ? new Date(asNumber) : new Date(iso);
}

/** A bigint ms column (PostgreSQL returns bigint as a string). */
export function toMs(value: string | number | null | undefined) {
  return value === null || value === undefined ? undefined : Number(value);
}
