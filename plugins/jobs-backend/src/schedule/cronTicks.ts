import { InputError } from '@backstage/errors';
import { CronTime } from 'cron';
import { MissedPolicy } from '../model';

/** Throws an InputError unless `cron` and `timeZone` are valid. */
export function validateCron(cron: string, timeZone: string): void {
  try {
    new CronTime(cron, timeZone).sendAt();
  } catch (e) {
    throw new InputError(
      `Invalid cron expression or time zone: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}

/** The next tick after `after` (epoch ms). */
export function nextTick(cron: string, timeZone: string, after: number) {
  return new CronTime(cron, timeZone)
    .getNextDateFrom(new Date(after), timeZone)
    .toMillis();
}

/**
 * Which tick of a schedule to run now. Looks at the ticks in (lastTick, now]:
 * `latest` is the newest of them (the schedule's new last tick); `run` is the
 * tick to run: the newest one if it is on time (at most `graceMs` old), else,
 * for a missed tick, the newest one only under policy `run-once`.
 */
export function dueTick(options: {
  cron: string;
  timeZone: string;
  lastTick: number;
  now: number;
  missedPolicy: MissedPolicy;
  graceMs: number;
}): { latest?: number; run?: number } {
  const time = new CronTime(options.cron, options.timeZone);
  let latest: number | undefined;
  let cursor = options.lastTick;
  // After a long downtime, don't walk every minute since: start near now.
  const horizon = options.now - 7 * 24 * 3600_000;
  if (cursor < horizon) cursor = horizon;
  for (let i = 0; i < 100_000; i++) {
    const next = time
      .getNextDateFrom(new Date(cursor), options.timeZone)
      .toMillis();
    if (next > options.now) break;
    latest = next;
    cursor = next;
  }
  if (latest === undefined) return {};
  const onTime = options.now - latest <= options.graceMs;
  if (onTime || options.missedPolicy === 'run-once') {
    return { latest, run: latest };
  }
  return { latest };
}
