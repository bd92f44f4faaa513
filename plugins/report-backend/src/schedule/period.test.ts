import {
  afterWeekEnd,
  checkTimezone,
  lastCompleteWeek,
  weekOf,
  weekStarting,
} from './period';

describe('report weeks', () => {
  it('runs Monday 00:00 to Monday 00:00 in the configured time zone', () => {
    // Monday 2026-03-02 01:30 in Shanghai is still Sunday in UTC
    const instant = new Date('2026-03-01T17:30:00Z');
    expect(weekOf(instant, 'Asia/Shanghai')).toEqual({
      weekStart: '2026-03-02',
      timezone: 'Asia/Shanghai',
      from: new Date('2026-03-01T16:00:00Z'),
      to: new Date('2026-03-08T16:00:00Z'),
    });
    expect(weekOf(instant, 'UTC').weekStart).toBe('2026-02-23');
  });

  it('gives the last complete week and the local send time', () => {
    const week = lastCompleteWeek(
      new Date('2026-03-09T02:00:00Z'),
      'Asia/Shanghai',
    );
    expect(week.weekStart).toBe('2026-03-02');
    expect(afterWeekEnd(week, 10)).toEqual(new Date('2026-03-09T02:00:00Z'));
  });

  it('keeps local Monday 00:00 across a daylight saving change', () => {
    // Europe/Berlin moves to summer time on Sunday 2026-03-29
    const week = weekStarting('2026-03-23', 'Europe/Berlin');
    expect(week.from).toEqual(new Date('2026-03-22T23:00:00Z'));
    expect(week.to).toEqual(new Date('2026-03-29T22:00:00Z'));
    expect(() => weekStarting('2026-03-24', 'UTC')).toThrow('not a Monday');
  });

  it('refuses an unknown time zone', () => {
    expect(() => checkTimezone('Mars/Olympus')).toThrow(
      /opsdeck.report.timezone/,
    );
    expect(() => checkTimezone('UTC')).not.toThrow();
  });
});
