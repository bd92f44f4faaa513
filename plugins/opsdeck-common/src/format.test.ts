import {
  formatDateTime,
  formatNumber,
  formatTime,
  setDisplayLanguage,
} from './format';

describe('locale formatting', () => {
  const at = '2026-12-02T22:15:04Z';
  afterEach(() => setDisplayLanguage(undefined));

  it('writes dates, times and numbers in zh-CN when that is the display language', () => {
    setDisplayLanguage('zh-CN');
    expect(formatDateTime(at)).toBe(new Date(at).toLocaleString('zh-CN'));
    expect(formatDateTime(at)).toMatch(/^2026\/12\/\d/);
    expect(formatDateTime(at)).not.toMatch(/AM|PM/);
    expect(formatTime(at)).toBe(new Date(at).toLocaleTimeString('zh-CN'));
    expect(formatNumber(1234567.5)).toBe('1,234,567.5');
  });

  it('writes US English in en', () => {
    setDisplayLanguage('en');
    expect(formatDateTime(at)).toMatch(/^12\/\d+\/2026, /);
    expect(formatDateTime(at)).toMatch(/AM|PM/);
    expect(formatNumber(0.5, { style: 'percent' })).toBe('50%');
  });

  it('gives an empty string for no or an invalid value', () => {
    expect(formatDateTime(undefined)).toBe('');
    expect(formatDateTime('')).toBe('');
    expect(formatDateTime('not a date')).toBe('');
    expect(formatTime(null)).toBe('');
  });
});
