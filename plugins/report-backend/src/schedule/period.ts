import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { DateTime } from 'luxon';

/** A report week: Monday 00:00 to the next Monday 00:00, in a time zone. */
export interface ReportWeek {
  /** Monday of the week (YYYY-MM-DD), in `timezone`. */
  weekStart: string;
  timezone: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive: the next Monday 00:00. */
  to: Date;
}

/** Throws for a time zone name the runtime does not know. */
export function checkTimezone(timezone: string): void {
  if (!DateTime.now().setZone(timezone).isValid) {
    throw new Error(
      `Invalid opsdeck.report.timezone '${timezone}', expected an IANA time zone such as Asia/Shanghai or UTC`,
    );
  }
}

/** The week (in `timezone`) that `instant` falls in. */
export function weekOf(instant: Date, timezone: string): ReportWeek {
  const local = DateTime.fromJSDate(instant, { zone: timezone });
  const monday = local.startOf('day').minus({ days: local.weekday - 1 });
  return {
    weekStart: monday.toISODate()!,
    timezone,
    from: monday.toJSDate(),
    to: monday.plus({ weeks: 1 }).toJSDate(),
  };
}

/**
 * Checks that `weekStart` names a report week: a calendar date (YYYY-MM-DD),
 * else `report-week-invalid`, that is a Monday, else `report-week-not-monday`
 * (400s with `weekStart`, which the portal translates).
 */
export function checkWeekStart(weekStart: string): void {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(weekStart)
    ? DateTime.fromISO(weekStart, { zone: 'UTC' })
    : undefined;
  if (!date?.isValid) {
    throw coded(
      new InputError(
        `'${weekStart}' is not a date, expected the Monday of a week as YYYY-MM-DD`,
      ),
      'report-week-invalid',
      { weekStart },
    );
  }
  if (date.weekday !== 1) {
    throw coded(
      new InputError(`${weekStart} is not a Monday`),
      'report-week-not-monday',
      { weekStart },
    );
  }
}

/**
 * The week that starts on `weekStart` (a Monday, YYYY-MM-DD) in `timezone`;
 * refused as {@link checkWeekStart} says.
 */
export function weekStarting(weekStart: string, timezone: string): ReportWeek {
  checkWeekStart(weekStart);
  const monday = DateTime.fromISO(weekStart, { zone: timezone });
  return weekOf(monday.toJSDate(), timezone);
}

/** The last complete week before `now`: the one that ended on the latest Monday 00:00. */
export function lastCompleteWeek(now: Date, timezone: string): ReportWeek {
  const current = weekOf(now, timezone);
  const previousMonday = DateTime.fromJSDate(current.from, {
    zone: timezone,
  }).minus({ weeks: 1 });
  return weekOf(previousMonday.toJSDate(), timezone);
}

/** `hours` (may be fractional) after the end of the week, in local time. */
export function afterWeekEnd(week: ReportWeek, hours: number): Date {
  return DateTime.fromJSDate(week.to, { zone: week.timezone })
    .plus({ minutes: Math.round(hours * 60) })
    .toJSDate();
}
