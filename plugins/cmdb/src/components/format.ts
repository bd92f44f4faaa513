import { ResponseError } from '@backstage/errors';

/** Units of {@link durationParts}, largest first. */
export type DurationUnit = 'days' | 'hours' | 'minutes' | 'seconds';

const UNITS: [DurationUnit, number][] = [
  ['days', 86400],
  ['hours', 3600],
  ['minutes', 60],
  ['seconds', 1],
];

/**
 * The `precision` largest units of a duration, leaving out zeros, e.g.
 * 93784 s → `[['days', 1], ['hours', 2]]`; under a second is `[['seconds', 0]]`.
 */
export function durationParts(
  totalSeconds: number,
  precision = 2,
): [DurationUnit, number][] {
  let rest = Math.max(0, Math.floor(totalSeconds));
  const parts: [DurationUnit, number][] = [];
  for (const [unit, size] of UNITS) {
    const value = Math.floor(rest / size);
    rest -= value * size;
    if (value > 0 || parts.length > 0) {
      parts.push([unit, value]);
    }
    if (parts.length === precision) break;
  }
  const nonZero = parts.filter(([, value]) => value > 0);
  return nonZero.length > 0 ? nonZero : [['seconds', 0]];
}

/** Byte count in binary units, e.g. 1.5 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 || value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${text.replace(/\.0$/, '')} ${units[unit]}`;
}

/** Seconds between an ISO time and now (never negative). */
export function secondsSince(iso: string, now: number = Date.now()): number {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return 0;
  return Math.max(0, (now - time) / 1000);
}

/** HTTP status of an error thrown by the clients, if it came from a response. */
export function statusOf(error: unknown): number | undefined {
  return ResponseError.is(error as Error)
    ? (error as ResponseError).statusCode
    : undefined;
}

/** The server's message of an error thrown by the clients. */
export function messageOf(error: unknown): string {
  if (ResponseError.is(error as Error)) {
    return (error as ResponseError).cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
