import { formatBytes, formatMode, formatRate, percent } from './format';

describe('format', () => {
  it('formats sizes, rates, modes and percentages', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100.0 MiB');
    expect(formatRate(2 * 1024 * 1024)).toBe('2.0 MiB/s');
    expect(formatMode(0o640)).toBe('0640');
    expect(formatMode(undefined)).toBe('');
    expect(percent(50, 200)).toBe(25);
    expect(percent(0, 0)).toBe(100);
  });
});
