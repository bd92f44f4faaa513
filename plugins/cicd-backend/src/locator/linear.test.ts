import { FailureLocator, validateCause } from './locator';
import { BUILT_IN_CAUSES } from './knowledgeBase';
import { compileRe2, InvalidPatternError } from './re2';

/**
 * The locator runs patterns from the knowledge base (and from users) over
 * logs that builds (and so anyone who can push a commit) write. These tests
 * feed it the classic catastrophic-backtracking pairs: a backtracking engine
 * needs about 2^n steps for them (n = 40 here would be hours); RE2 answers
 * at once. No timing threshold: the test finishing at all is the check, the
 * jest timeout catching a stall.
 */
describe('linear-time matching', () => {
  const evil = `${'a'.repeat(40)}!`;

  it('RE2 matches nested quantifiers against a hostile line', () => {
    expect(compileRe2('^(a+)+$').test(evil)).toBe(false);
    expect(compileRe2('^(a|aa)+$').test(evil)).toBe(false);
    expect(compileRe2('^(a|a?)+$').test(`${'a'.repeat(10000)}!`)).toBe(false);
  });

  it('a hostile user cause and a hostile log do not stall the locator', () => {
    const locator = new FailureLocator([
      ...BUILT_IN_CAUSES,
      {
        id: 'user-evil',
        category: 'runtime',
        title: { en: 'evil', 'zh-CN': '恶意' },
        patterns: ['^(a+)+$', '(x+x+)+y'],
        weight: 10,
        runbook: 'https://example.com',
      },
    ]);
    const log = [
      'Started by user mallory',
      ...Array.from({ length: 200 }, () => evil),
      'x'.repeat(5000),
      "src/a.ts(1,1): error TS2322: Type 'string' is not assignable to type 'number'.",
      'Finished: FAILURE',
    ].join('\n');
    const result = locator.locate(log);
    expect(result.causes[0].id).toBe('typescript-compile');
    expect(result.causes.map(c => c.id)).not.toContain('user-evil');
  });

  it('refuses what RE2 cannot run in linear time', () => {
    expect(() => compileRe2('(a)\\1')).toThrow(InvalidPatternError);
    expect(() => compileRe2('foo(?=bar)')).toThrow(InvalidPatternError);
    expect(() =>
      validateCause({
        id: 'x',
        category: 'runtime',
        title: { en: 'x', 'zh-CN': 'x' },
        patterns: ['ok', '(?<!no)yes'],
        weight: 1,
        runbook: 'https://example.com',
      }),
    ).toThrow(InvalidPatternError);
  });

  it('compiles every built-in cause', () => {
    for (const cause of BUILT_IN_CAUSES)
      expect(() => validateCause(cause)).not.toThrow();
    expect(new Set(BUILT_IN_CAUSES.map(c => c.id)).size).toBe(
      BUILT_IN_CAUSES.length,
    );
  });

  it('reads through ANSI colours and hidden console notes', () => {
    const locator = new FailureLocator(BUILT_IN_CAUSES);
    const log =
      '\u001b[8mha:////4AAAAB+LCAAAAAAAAP9b\u001b[0m[Pipeline] stage\n' +
      '[Pipeline] { (Build)\n' +
      '\u001b[0m\u001b[31mnpm error code ETARGET\u001b[0m\r\n' +
      '[Pipeline] // stage\n';
    const result = locator.locate(log);
    expect(result.causes[0]).toMatchObject({
      id: 'npm-dependency-resolution',
      lines: [3],
      stage: 'Build',
    });
  });

  it('locateAsync gives the same answer and lets other work run meanwhile', async () => {
    const locator = new FailureLocator(BUILT_IN_CAUSES);
    const log = [
      ...Array.from({ length: 20_000 }, (_, i) => `compiling module ${i}`),
      "src/a.ts(1,1): error TS2322: Type 'string' is not assignable to type 'number'.",
    ].join('\n');
    let ranMeanwhile = false;
    setImmediate(() => {
      ranMeanwhile = true;
    });
    const pending = locator.locateAsync(log);
    expect(ranMeanwhile).toBe(false);
    const result = await pending;
    expect(ranMeanwhile).toBe(true);
    expect(result).toEqual(locator.locate(log));
    expect(result.causes[0].lines).toEqual([20_001]);
  });

  it('says nothing matched rather than guessing', () => {
    const locator = new FailureLocator(BUILT_IN_CAUSES);
    expect(
      locator.locate('Started by user alice\nall good\nFinished: FAILURE\n')
        .causes,
    ).toEqual([]);
  });
});
