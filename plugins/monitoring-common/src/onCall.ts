import { DateTime, IANAZone } from 'luxon';
import type {
  OnCallShift,
  RotationInput,
  RotationOverride,
  RotationOverrideInput,
  RotationShift,
} from './model';

/** The rotation fields {@link onCallAt} reads. */
export type RotationSchedule = Pick<
  RotationInput,
  'members' | 'shift' | 'handoffTime' | 'timeZone' | 'startDate'
>;

/** The override fields {@link onCallAt} reads (`id`: the later one wins). */
export type OverrideSpan = Pick<RotationOverride, 'user' | 'start' | 'end'> & {
  id?: number;
};

const DAY = 1440;
const MAX_SHIFT_HOURS = 24 * 28;

/** A shift's length in minutes. */
export function shiftMinutes(shift: RotationShift): number {
  if (shift.kind === 'daily') return DAY;
  if (shift.kind === 'weekly') return 7 * DAY;
  return shift.hours * 60;
}

function handoffMinutes(handoffTime: string): number {
  const [h, m] = handoffTime.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The instant of wall-clock time `minutes` (may pass midnight) on the
 * rotation's local day `day` (0: the start date), in its time zone. A local
 * time that does not exist (the hour skipped in spring) is moved forward;
 * one that exists twice (autumn) is the later.
 */
function wallClock(r: RotationSchedule, day: number, minutes: number) {
  const date = DateTime.fromISO(r.startDate, { zone: 'UTC' }).plus({
    days: day + Math.floor(minutes / DAY),
  });
  const m = ((minutes % DAY) + DAY) % DAY;
  return DateTime.fromObject(
    {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: Math.floor(m / 60),
      minute: m % 60,
    },
    { zone: r.timeZone },
  );
}

/** Local calendar days from the start date to the local date of `instant`. */
function daysSinceStart(r: RotationSchedule, instant: DateTime): number {
  const local = instant.setZone(r.timeZone);
  const date = DateTime.fromObject(
    { year: local.year, month: local.month, day: local.day },
    { zone: 'UTC' },
  );
  return Math.round(
    date.diff(DateTime.fromISO(r.startDate, { zone: 'UTC' }), 'days').days,
  );
}

/** One shift of the rotation: its number from the first (0) and its bounds. */
export interface RotationShiftAt {
  index: number;
  start: Date;
  end: Date;
}

/**
 * The shift of the rotation at `instant` (undefined before the first).
 * Shifts of a day or more hand off at the handoff time every N local days;
 * shorter ones (N hours, N divides 24) at the handoff time and every N
 * wall-clock hours after it. Both stay on local time across DST changes.
 */
export function shiftAt(
  r: RotationSchedule,
  instant: Date,
): RotationShiftAt | undefined {
  const at = DateTime.fromJSDate(instant);
  const length = shiftMinutes(r.shift);
  const h = handoffMinutes(r.handoffTime);
  let day = daysSinceStart(r, at);
  if (at < wallClock(r, day, h)) day--;
  if (day < 0) return undefined;
  if (length >= DAY) {
    const days = length / DAY;
    const index = Math.floor(day / days);
    return {
      index,
      start: wallClock(r, index * days, h).toJSDate(),
      end: wallClock(r, (index + 1) * days, h).toJSDate(),
    };
  }
  const perDay = DAY / length;
  let k = 0;
  while (k + 1 < perDay && wallClock(r, day, h + (k + 1) * length) <= at) k++;
  return {
    index: day * perDay + k,
    start: wallClock(r, day, h + k * length).toJSDate(),
    end: (k + 1 < perDay
      ? wallClock(r, day, h + (k + 1) * length)
      : wallClock(r, day + 1, h)
    ).toJSDate(),
  };
}

/** The instant the rotation's first shift starts. */
export function rotationStart(r: RotationSchedule): Date {
  return wallClock(r, 0, handoffMinutes(r.handoffTime)).toJSDate();
}

/** The override covering `instant` (the latest created when several do). */
function overrideAt<T extends OverrideSpan>(
  overrides: T[],
  instant: Date,
): T | undefined {
  const t = instant.getTime();
  let found: T | undefined;
  for (const o of overrides) {
    if (Date.parse(o.start) <= t && t < Date.parse(o.end)) {
      if (!found || (o.id ?? 0) >= (found.id ?? 0)) found = o;
    }
  }
  return found;
}

/**
 * Who is on call in the rotation at `instant`: the person of an override
 * covering it, else the member whose turn the shift is (members in order,
 * round and round from the start date; with the members as they are now).
 * Undefined before the rotation starts (and no override covers it) or when
 * it has no members.
 */
export function onCallAt(
  rotation: RotationSchedule,
  overrides: OverrideSpan[],
  instant: Date,
): string | undefined {
  const override = overrideAt(overrides, instant);
  if (override) return override.user;
  const shift = rotation.members.length && shiftAt(rotation, instant);
  if (!shift) return undefined;
  return rotation.members[shift.index % rotation.members.length];
}

/**
 * Who is on call from `from` over the next `handoffs` shift handoffs: the
 * current stretch and the following ones, overrides cut in, adjacent
 * stretches of the same person (and kind) merged.
 */
export function onCallSchedule(
  rotation: RotationSchedule,
  overrides: OverrideSpan[],
  from: Date,
  handoffs = 5,
): OnCallShift[] {
  const current = shiftAt(rotation, from);
  const first = rotationStart(rotation);
  let start = current?.start ?? first;
  const active = overrideAt(overrides, from);
  if (active && Date.parse(active.start) < start.getTime()) {
    start = new Date(active.start);
  }
  const bounds = new Set<number>([start.getTime()]);
  let cursor = current ?? shiftAt(rotation, first);
  for (let i = 0; cursor && i < handoffs; i++) {
    bounds.add(cursor.start.getTime());
    bounds.add(cursor.end.getTime());
    cursor = shiftAt(rotation, cursor.end);
  }
  const until = Math.max(...bounds);
  for (const o of overrides) {
    for (const t of [Date.parse(o.start), Date.parse(o.end)]) {
      if (t > start.getTime() && t < until) bounds.add(t);
    }
  }
  const sorted = [...bounds]
    .filter(t => t >= start.getTime())
    .sort((a, b) => a - b);
  const out: OnCallShift[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const at = new Date(sorted[i]);
    const user = onCallAt(rotation, overrides, at);
    if (!user) continue;
    const override = overrideAt(overrides, at) !== undefined;
    const last = out[out.length - 1];
    if (
      last &&
      last.user === user &&
      last.override === override &&
      Date.parse(last.end) === sorted[i]
    ) {
      last.end = new Date(sorted[i + 1]).toISOString();
      continue;
    }
    out.push({
      user,
      start: at.toISOString(),
      end: new Date(sorted[i + 1]).toISOString(),
      override,
    });
  }
  return out;
}

/** A refused rotation or override: the error code and the field. */
export interface OnCallProblem {
  code:
    | 'monitoring-rotation-name-invalid'
    | 'monitoring-rotation-group-invalid'
    | 'monitoring-rotation-members-empty'
    | 'monitoring-rotation-member-invalid'
    | 'monitoring-rotation-member-duplicate'
    | 'monitoring-rotation-shift-invalid'
    | 'monitoring-rotation-handoff-invalid'
    | 'monitoring-rotation-timezone-invalid'
    | 'monitoring-rotation-start-invalid'
    | 'monitoring-override-range-invalid'
    | 'monitoring-override-user-invalid';
  field: string;
  message: string;
}

const problem = (
  code: OnCallProblem['code'],
  field: string,
  message: string,
): OnCallProblem => ({ code, field, message });

/** Whether `zone` is an IANA time zone name (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  return (
    typeof zone === 'string' &&
    /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) &&
    IANAZone.isValidZone(zone)
  );
}

/**
 * What is wrong with a rotation (the catalog checks, group membership, are
 * the backend's): undefined when nothing is. A shift of N hours must divide
 * a day or be whole days (at most 4 weeks).
 */
export function rotationProblem(
  input: RotationInput,
): OnCallProblem | undefined {
  const name = input.name?.trim() ?? '';
  if (!name || name.length > 100) {
    return problem(
      'monitoring-rotation-name-invalid',
      'name',
      'A rotation needs a name of at most 100 characters',
    );
  }
  if (!/^group:[^/\s]+\/[^/\s]+$/.test(input.group ?? '')) {
    return problem(
      'monitoring-rotation-group-invalid',
      'group',
      `${input.group} is not a catalog group ref (group:<namespace>/<name>)`,
    );
  }
  if (!Array.isArray(input.members) || input.members.length === 0) {
    return problem(
      'monitoring-rotation-members-empty',
      'members',
      'A rotation needs at least one member',
    );
  }
  if (input.members.length > 100) {
    return problem(
      'monitoring-rotation-member-invalid',
      'members',
      'A rotation has at most 100 members',
    );
  }
  for (const m of input.members) {
    if (!/^user:[^/\s]+\/[^/\s]+$/.test(m)) {
      return problem(
        'monitoring-rotation-member-invalid',
        'members',
        `${m} is not a catalog user ref (user:<namespace>/<name>)`,
      );
    }
  }
  if (new Set(input.members).size !== input.members.length) {
    return problem(
      'monitoring-rotation-member-duplicate',
      'members',
      'A member is listed twice',
    );
  }
  const shift = input.shift;
  const hours = shift?.kind === 'hours' ? shift.hours : undefined;
  if (
    !shift ||
    !['daily', 'weekly', 'hours'].includes(shift.kind) ||
    (shift.kind === 'hours' &&
      !(
        Number.isInteger(hours) &&
        hours! >= 1 &&
        hours! <= MAX_SHIFT_HOURS &&
        (24 % hours! === 0 || hours! % 24 === 0)
      ))
  ) {
    return problem(
      'monitoring-rotation-shift-invalid',
      'shift',
      'A shift is daily, weekly or N hours, N dividing 24 or whole days (at most 4 weeks)',
    );
  }
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(input.handoffTime ?? '')) {
    return problem(
      'monitoring-rotation-handoff-invalid',
      'handoffTime',
      'The handoff time is HH:mm (00:00 to 23:59)',
    );
  }
  if (!isTimeZone(input.timeZone)) {
    return problem(
      'monitoring-rotation-timezone-invalid',
      'timeZone',
      `${input.timeZone} is not an IANA time zone`,
    );
  }
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.startDate ?? '') ||
    !DateTime.fromISO(input.startDate, { zone: 'UTC' }).isValid
  ) {
    return problem(
      'monitoring-rotation-start-invalid',
      'startDate',
      'The start date is YYYY-MM-DD',
    );
  }
  return undefined;
}

/**
 * What is wrong with an override (membership and overlaps are the
 * backend's): a range that ends after it starts, ends after `now`, and lasts
 * at most 90 days.
 */
export function overrideProblem(
  input: RotationOverrideInput,
  now: Date,
): OnCallProblem | undefined {
  if (!/^user:[^/\s]+\/[^/\s]+$/.test(input.user ?? '')) {
    return problem(
      'monitoring-override-user-invalid',
      'user',
      `${input.user} is not a catalog user ref`,
    );
  }
  const start = Date.parse(input.start);
  const end = Date.parse(input.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    return problem(
      'monitoring-override-range-invalid',
      'end',
      'An override ends after it starts',
    );
  }
  if (end <= now.getTime()) {
    return problem(
      'monitoring-override-range-invalid',
      'end',
      'An override that is already over changes nothing',
    );
  }
  if (end - start > 90 * 86_400_000) {
    return problem(
      'monitoring-override-range-invalid',
      'end',
      'An override lasts at most 90 days',
    );
  }
  return undefined;
}
