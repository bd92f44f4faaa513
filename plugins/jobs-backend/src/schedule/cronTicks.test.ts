import { dueTick, nextTick, validateCron } from './cronTicks';

const at = (iso: string) => Date.parse(iso);

describe('cron ticks', () => {
  it('computes ticks in the schedule time zone', () => {
    // 02:30 every day in Shanghai (UTC+8) is 18:30 UTC the day before
    expect(
      new Date(
        nextTick('30 2 * * *', 'Asia/Shanghai', at('2026-03-01T00:00:00Z')),
      ).toISOString(),
    ).toBe('2026-03-01T18:30:00.000Z');
    expect(
      new Date(
        nextTick('30 2 * * *', 'UTC', at('2026-03-01T00:00:00Z')),
      ).toISOString(),
    ).toBe('2026-03-01T02:30:00.000Z');
  });

  it('rejects bad expressions and time zones', () => {
    expect(() => validateCron('61 * * * *', 'UTC')).toThrow(/Invalid cron/);
    expect(() => validateCron('* * * * *', 'Mars/Olympus')).toThrow(
      /Invalid cron/,
    );
    expect(() => validateCron('*/5 * * * *', 'Europe/Berlin')).not.toThrow();
  });

  it('runs an on-time tick once and nothing before the next one', () => {
    const base = {
      cron: '*/5 * * * *',
      timeZone: 'UTC',
      missedPolicy: 'skip' as const,
      graceMs: 60_000,
    };
    expect(
      dueTick({
        ...base,
        lastTick: at('2026-03-01T10:00:00Z'),
        now: at('2026-03-01T10:05:10Z'),
      }),
    ).toEqual({
      latest: at('2026-03-01T10:05:00Z'),
      run: at('2026-03-01T10:05:00Z'),
    });
    expect(
      dueTick({
        ...base,
        lastTick: at('2026-03-01T10:05:00Z'),
        now: at('2026-03-01T10:09:59Z'),
      }),
    ).toEqual({});
  });

  it('skips missed ticks, or runs the newest once, by policy', () => {
    const base = {
      cron: '*/5 * * * *',
      timeZone: 'UTC',
      graceMs: 60_000,
      lastTick: at('2026-03-01T10:00:00Z'),
      // down for an hour: 12 ticks missed, newest 3 minutes ago
      now: at('2026-03-01T11:03:00Z'),
    };
    expect(dueTick({ ...base, missedPolicy: 'skip' })).toEqual({
      latest: at('2026-03-01T11:00:00Z'),
    });
    expect(dueTick({ ...base, missedPolicy: 'run-once' })).toEqual({
      latest: at('2026-03-01T11:00:00Z'),
      run: at('2026-03-01T11:00:00Z'),
    });
  });
});
