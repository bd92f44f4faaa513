import { durationParts, formatBytes, secondsSince } from './format';

describe('durationParts', () => {
  it('keeps the largest units', () => {
    expect(durationParts(93784)).toEqual([
      ['days', 1],
      ['hours', 2],
    ]);
    expect(durationParts(93784, 1)).toEqual([['days', 1]]);
    expect(durationParts(3600 * 5 + 7)).toEqual([['hours', 5]]);
    expect(durationParts(125)).toEqual([
      ['minutes', 2],
      ['seconds', 5],
    ]);
    expect(durationParts(0.4)).toEqual([['seconds', 0]]);
    expect(durationParts(-5)).toEqual([['seconds', 0]]);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8 GiB');
    expect(formatBytes(500 * 1024 ** 3)).toBe('500 GiB');
  });
});

describe('secondsSince', () => {
  it('measures the age of a time', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(secondsSince('2026-03-01T09:59:00Z', now)).toBe(60);
    expect(secondsSince('2026-03-01T10:01:00Z', now)).toBe(0);
    expect(secondsSince('not a date', now)).toBe(0);
  });
});
