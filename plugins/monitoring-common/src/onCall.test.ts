import type { RotationInput } from './model';
import {
  onCallAt,
  onCallSchedule,
  overrideProblem,
  rotationProblem,
  shiftAt,
  type RotationSchedule,
} from './onCall';

const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(n => `user:default/${n}`);
const at = (iso: string) => new Date(iso);

const berlinDaily: RotationSchedule = {
  members: [a, b, c],
  shift: { kind: 'daily' },
  handoffTime: '09:00',
  timeZone: 'Europe/Berlin',
  startDate: '2026-03-01',
};

describe('onCallAt', () => {
  it('hands off daily at the local handoff time, round and round', () => {
    // 09:00 CET is 08:00Z
    expect(onCallAt(berlinDaily, [], at('2026-03-01T07:59:59Z'))).toBe(
      undefined,
    );
    expect(onCallAt(berlinDaily, [], at('2026-03-01T08:00:00Z'))).toBe(a);
    expect(onCallAt(berlinDaily, [], at('2026-03-02T07:59:59Z'))).toBe(a);
    expect(onCallAt(berlinDaily, [], at('2026-03-02T08:00:00Z'))).toBe(b);
    expect(onCallAt(berlinDaily, [], at('2026-03-03T08:00:00Z'))).toBe(c);
    expect(onCallAt(berlinDaily, [], at('2026-03-04T08:00:00Z'))).toBe(a);
    // 30 days later: day 30 → 30 % 3 = 0
    expect(onCallAt(berlinDaily, [], at('2026-03-31T12:00:00Z'))).toBe(a);
  });

  it('keeps the wall-clock handoff across Berlin spring forward and fall back', () => {
    // 2026-03-29 02:00 CET → 03:00 CEST: 09:00 is 07:00Z from that day on
    expect(onCallAt(berlinDaily, [], at('2026-03-28T08:00:00Z'))).toBe(a); // day 27
    expect(onCallAt(berlinDaily, [], at('2026-03-29T06:59:59Z'))).toBe(a);
    expect(onCallAt(berlinDaily, [], at('2026-03-29T07:00:00Z'))).toBe(b); // day 28
    const spring = shiftAt(berlinDaily, at('2026-03-28T12:00:00Z'))!;
    expect(spring.start.toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(spring.end.toISOString()).toBe('2026-03-29T07:00:00.000Z'); // 23 h
    // 2026-10-25 03:00 CEST → 02:00 CET: 09:00 is 08:00Z again
    const autumn = shiftAt(berlinDaily, at('2026-10-24T12:00:00Z'))!;
    expect(autumn.start.toISOString()).toBe('2026-10-24T07:00:00.000Z');
    expect(autumn.end.toISOString()).toBe('2026-10-25T08:00:00.000Z'); // 25 h
    // day 237 from 2026-03-01 is 2026-10-24: 237 % 3 = 0
    expect(onCallAt(berlinDaily, [], at('2026-10-25T07:30:00Z'))).toBe(a);
    expect(onCallAt(berlinDaily, [], at('2026-10-25T08:00:00Z'))).toBe(b);
  });

  it('moves a handoff in the skipped hour forward and takes the later of a doubled one', () => {
    const r = { ...berlinDaily, handoffTime: '02:30' };
    // 02:30 does not exist on 2026-03-29: 03:30 CEST = 01:30Z
    const s = shiftAt(r, at('2026-03-29T01:29:00Z'))!;
    expect(s.end.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(shiftAt(r, at('2026-03-29T01:30:00Z'))!.index).toBe(s.index + 1);
    // 02:30 happens twice on 2026-10-25: the later, 02:30 CET = 01:30Z
    expect(shiftAt(r, at('2026-10-25T00:30:00Z'))!.end.toISOString()).toBe(
      '2026-10-25T01:30:00.000Z',
    );
  });

  it('hands off weekly at 10:00 New York time across its DST change', () => {
    const r: RotationSchedule = {
      members: [a, b],
      shift: { kind: 'weekly' },
      handoffTime: '10:00',
      timeZone: 'America/New_York',
      startDate: '2026-03-02', // a Monday, EST (UTC-5)
    };
    expect(onCallAt(r, [], at('2026-03-02T15:00:00Z'))).toBe(a);
    expect(onCallAt(r, [], at('2026-03-09T13:59:59Z'))).toBe(a);
    // 2026-03-08 DST starts: Monday 10:00 EDT is 14:00Z
    expect(onCallAt(r, [], at('2026-03-09T14:00:00Z'))).toBe(b);
    expect(onCallAt(r, [], at('2026-03-16T14:00:00Z'))).toBe(a);
    // 2026-11-01 DST ends: Monday 2026-11-02 10:00 EST is 15:00Z (week 35)
    expect(onCallAt(r, [], at('2026-11-02T14:30:00Z'))).toBe(a);
    expect(onCallAt(r, [], at('2026-11-02T15:00:00Z'))).toBe(b);
  });

  it('hands off every 12 hours in Shanghai (no DST) and every 8 local hours in Berlin', () => {
    const r: RotationSchedule = {
      members: [a, b, c],
      shift: { kind: 'hours', hours: 12 },
      handoffTime: '08:00',
      timeZone: 'Asia/Shanghai',
      startDate: '2026-12-01',
    };
    // 08:00 and 20:00 CST are 00:00Z and 12:00Z
    expect(onCallAt(r, [], at('2026-11-30T23:59:59Z'))).toBe(undefined);
    expect(onCallAt(r, [], at('2026-12-01T00:00:00Z'))).toBe(a);
    expect(onCallAt(r, [], at('2026-12-01T11:59:59Z'))).toBe(a);
    expect(onCallAt(r, [], at('2026-12-01T12:00:00Z'))).toBe(b);
    expect(onCallAt(r, [], at('2026-12-02T00:00:00Z'))).toBe(c);
    expect(onCallAt(r, [], at('2026-12-02T12:00:00Z'))).toBe(a);
    // 8 h shifts at 06, 14, 22 local; 2026-03-29 has 23 hours
    const eight: RotationSchedule = {
      members: [a, b, c, d],
      shift: { kind: 'hours', hours: 8 },
      handoffTime: '06:00',
      timeZone: 'Europe/Berlin',
      startDate: '2026-03-28',
    };
    const night = shiftAt(eight, at('2026-03-29T00:00:00Z'))!;
    expect(night.index).toBe(2);
    expect(night.start.toISOString()).toBe('2026-03-28T21:00:00.000Z');
    expect(night.end.toISOString()).toBe('2026-03-29T04:00:00.000Z'); // 7 h
    expect(onCallAt(eight, [], at('2026-03-29T04:00:00Z'))).toBe(d);
    expect(onCallAt(eight, [], at('2026-03-29T12:00:00Z'))).toBe(a); // 14:00 CEST
  });

  it('shifts of whole days: 48 hours', () => {
    const r = {
      ...berlinDaily,
      shift: { kind: 'hours' as const, hours: 48 },
    };
    expect(onCallAt(r, [], at('2026-03-02T12:00:00Z'))).toBe(a);
    expect(onCallAt(r, [], at('2026-03-03T08:00:00Z'))).toBe(b);
  });

  it('lets an override win, the later of overlapping ones', () => {
    const overrides = [
      {
        id: 1,
        user: d,
        start: '2026-03-02T10:00:00Z',
        end: '2026-03-02T20:00:00Z',
      },
      {
        id: 2,
        user: c,
        start: '2026-03-02T12:00:00Z',
        end: '2026-03-02T13:00:00Z',
      },
    ];
    expect(onCallAt(berlinDaily, overrides, at('2026-03-02T09:59:59Z'))).toBe(
      b,
    );
    expect(onCallAt(berlinDaily, overrides, at('2026-03-02T10:00:00Z'))).toBe(
      d,
    );
    expect(onCallAt(berlinDaily, overrides, at('2026-03-02T12:30:00Z'))).toBe(
      c,
    );
    expect(onCallAt(berlinDaily, overrides, at('2026-03-02T19:59:59Z'))).toBe(
      d,
    );
    expect(onCallAt(berlinDaily, overrides, at('2026-03-02T20:00:00Z'))).toBe(
      b,
    );
    // an override before the rotation starts still pages its person
    expect(
      onCallAt(
        berlinDaily,
        [
          {
            user: d,
            start: '2026-02-01T00:00:00Z',
            end: '2026-02-02T00:00:00Z',
          },
        ],
        at('2026-02-01T12:00:00Z'),
      ),
    ).toBe(d);
  });

  it('follows the members as they are now', () => {
    const t = at('2026-03-05T12:00:00Z'); // day 4
    expect(onCallAt(berlinDaily, [], t)).toBe(b);
    expect(onCallAt({ ...berlinDaily, members: [a, c] }, [], t)).toBe(a);
    expect(onCallAt({ ...berlinDaily, members: [c, b, a, d] }, [], t)).toBe(c);
    expect(onCallAt({ ...berlinDaily, members: [] }, [], t)).toBe(undefined);
    for (let day = 0; day < 40; day++) {
      const x = new Date(Date.parse('2026-03-01T12:00:00Z') + day * 86_400_000);
      expect([a, d]).toContain(
        onCallAt({ ...berlinDaily, members: [a, d] }, [], x),
      );
    }
  });
});

describe('onCallSchedule', () => {
  it('lists the current stretch and the next handoffs with overrides cut in', () => {
    const schedule = onCallSchedule(
      berlinDaily,
      [{ user: d, start: '2026-03-03T12:00:00Z', end: '2026-03-03T14:00:00Z' }],
      at('2026-03-02T12:00:00Z'),
      3,
    );
    expect(schedule).toEqual([
      {
        user: b,
        start: '2026-03-02T08:00:00.000Z',
        end: '2026-03-03T08:00:00.000Z',
        override: false,
      },
      {
        user: c,
        start: '2026-03-03T08:00:00.000Z',
        end: '2026-03-03T12:00:00.000Z',
        override: false,
      },
      {
        user: d,
        start: '2026-03-03T12:00:00.000Z',
        end: '2026-03-03T14:00:00.000Z',
        override: true,
      },
      {
        user: c,
        start: '2026-03-03T14:00:00.000Z',
        end: '2026-03-04T08:00:00.000Z',
        override: false,
      },
      {
        user: a,
        start: '2026-03-04T08:00:00.000Z',
        end: '2026-03-05T08:00:00.000Z',
        override: false,
      },
    ]);
  });

  it('starts with the first shift before the rotation starts, and merges a member on twice', () => {
    const schedule = onCallSchedule(
      { ...berlinDaily, members: [a] },
      [],
      at('2026-02-20T00:00:00Z'),
      2,
    );
    expect(schedule).toEqual([
      {
        user: a,
        start: '2026-03-01T08:00:00.000Z',
        end: '2026-03-03T08:00:00.000Z',
        override: false,
      },
    ]);
  });
});

describe('rotationProblem and overrideProblem', () => {
  const ok: RotationInput = {
    ...berlinDaily,
    group: 'group:default/ops',
    name: 'Primary',
  };
  it.each([
    [{}, undefined],
    [{ timeZone: 'Mars/Olympus' }, 'monitoring-rotation-timezone-invalid'],
    [{ timeZone: '+08:00' }, 'monitoring-rotation-timezone-invalid'],
    [{ members: [] }, 'monitoring-rotation-members-empty'],
    [{ members: [a, a] }, 'monitoring-rotation-member-duplicate'],
    [{ members: ['group:default/ops'] }, 'monitoring-rotation-member-invalid'],
    [{ members: ['alice'] }, 'monitoring-rotation-member-invalid'],
    [
      { shift: { kind: 'hours', hours: 5 } },
      'monitoring-rotation-shift-invalid',
    ],
    [
      { shift: { kind: 'hours', hours: 36 } },
      'monitoring-rotation-shift-invalid',
    ],
    [
      { shift: { kind: 'hours', hours: 0 } },
      'monitoring-rotation-shift-invalid',
    ],
    [{ shift: { kind: 'hours', hours: 6 } }, undefined],
    [{ shift: { kind: 'hours', hours: 72 } }, undefined],
    [{ shift: { kind: 'monthly' } }, 'monitoring-rotation-shift-invalid'],
    [{ handoffTime: '24:00' }, 'monitoring-rotation-handoff-invalid'],
    [{ handoffTime: '9:00' }, 'monitoring-rotation-handoff-invalid'],
    [{ startDate: '2026-02-30' }, 'monitoring-rotation-start-invalid'],
    [{ startDate: 'tomorrow' }, 'monitoring-rotation-start-invalid'],
    [{ name: ' ' }, 'monitoring-rotation-name-invalid'],
    [{ group: 'user:default/a' }, 'monitoring-rotation-group-invalid'],
  ])('%j → %s', (change, code) => {
    expect(rotationProblem({ ...ok, ...(change as object) })?.code).toBe(code);
  });

  it('refuses overrides that end first, are over or last too long', () => {
    const now = at('2026-03-01T00:00:00Z');
    const o = {
      user: a,
      start: '2026-03-02T00:00:00Z',
      end: '2026-03-03T00:00:00Z',
    };
    expect(overrideProblem(o, now)).toBeUndefined();
    expect(overrideProblem({ ...o, end: o.start }, now)?.code).toBe(
      'monitoring-override-range-invalid',
    );
    expect(overrideProblem({ ...o, end: 'soon' }, now)?.code).toBe(
      'monitoring-override-range-invalid',
    );
    expect(overrideProblem(o, at('2026-03-04T00:00:00Z'))?.code).toBe(
      'monitoring-override-range-invalid',
    );
    expect(
      overrideProblem({ ...o, end: '2026-07-01T00:00:00Z' }, now)?.code,
    ).toBe('monitoring-override-range-invalid');
    expect(overrideProblem({ ...o, user: 'bob' }, now)?.code).toBe(
      'monitoring-override-user-invalid',
    );
  });
});
