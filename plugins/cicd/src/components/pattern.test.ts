import { lineToPattern, patternsOf } from './pattern';

describe('lineToPattern', () => {
  it('escapes what RE2 would read as syntax, so the line matches itself', () => {
    const line =
      "  index.ts(2,3): error TS2322: Type 'string' [x] {y} a|b ^$ *+? \\ .  ";
    const pattern = lineToPattern(line);
    expect(pattern).toBe(
      "index\\.ts\\(2,3\\): error TS2322: Type 'string' \\[x\\] \\{y\\} a\\|b \\^\\$ \\*\\+\\? \\\\ \\.",
    );
    // JavaScript's syntax agrees with RE2's for these escapes
    expect(new RegExp(pattern).test(line)).toBe(true);
    expect(new RegExp(pattern).test(line.replace('.', 'x'))).toBe(false);
  });

  it('stays within the length limit', () => {
    expect(lineToPattern('.'.repeat(5000)).length).toBeLessThanOrEqual(2000);
  });
});

describe('patternsOf', () => {
  it('takes one pattern per non-blank line', () => {
    expect(patternsOf(' a \n\n b\\d+\n')).toEqual(['a', 'b\\d+']);
  });
});
