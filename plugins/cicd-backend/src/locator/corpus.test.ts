import fs from 'node:fs';
import path from 'node:path';
import { BUILT_IN_CAUSES } from './knowledgeBase';
import { FailureLocator } from './locator';

const dir = path.join(__dirname, '__fixtures__', 'corpus');
const index: { file: string; cause: string; stage: string }[] = JSON.parse(
  fs.readFileSync(path.join(dir, 'index.json'), 'utf8'),
);

describe('failure locator on the corpus of real failed builds', () => {
  const locator = new FailureLocator(BUILT_IN_CAUSES);
  const results = index.map(entry => {
    const text = fs.readFileSync(path.join(dir, entry.file), 'utf8');
    const located = locator.locate(text);
    return { entry, located, ids: located.causes.map(c => c.id) };
  });

  it('has at least 30 logs, each with a cause of the knowledge base', () => {
    expect(index.length).toBeGreaterThanOrEqual(30);
    const known = new Set(BUILT_IN_CAUSES.map(c => c.id));
    for (const { cause } of index) expect(known).toContain(cause);
  });

  it('ranks the expected cause first for >= 80% and in the top 3 for >= 95%', () => {
    const top1 = results.filter(r => r.ids[0] === r.entry.cause).length;
    const top3 = results.filter(r =>
      r.ids.slice(0, 3).includes(r.entry.cause),
    ).length;
    const misses = results
      .filter(r => r.ids[0] !== r.entry.cause)
      .map(
        r =>
          `${r.entry.file}: expected ${r.entry.cause}, got [${r.ids
            .slice(0, 3)
            .join(', ')}]`,
      );
    // eslint-disable-next-line no-console
    console.log(
      [
        `corpus: ${results.length} logs`,
        `top-1 accuracy: ${top1}/${results.length} = ${(
          (100 * top1) /
          results.length
        ).toFixed(1)}%`,
        `top-3 accuracy: ${top3}/${results.length} = ${(
          (100 * top3) /
          results.length
        ).toFixed(1)}%`,
        ...misses.map(m => `  miss: ${m}`),
      ].join('\n'),
    );
    expect(top1 / results.length).toBeGreaterThanOrEqual(0.8);
    expect(top3 / results.length).toBeGreaterThanOrEqual(0.95);
  });

  it('names the failing stage of every log', () => {
    for (const r of results) {
      expect({ file: r.entry.file, stage: r.located.failingStage }).toEqual({
        file: r.entry.file,
        stage: r.entry.stage,
      });
    }
  });

  it('points at the lines that hold the error', () => {
    const r = results.find(x => x.entry.file === 'tsc-type-error.log')!;
    const text = fs
      .readFileSync(path.join(dir, 'tsc-type-error.log'), 'utf8')
      .split('\n');
    const cause = r.located.causes[0];
    expect(cause.lines.map(n => text[n - 1])).toEqual([
      "index.ts(2,3): error TS2322: Type 'string' is not assignable to type 'number'.",
      "index.ts(4,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    ]);
    expect(cause.stage).toBe('Build');
  });

  it('names the failing tests', () => {
    const tests = (file: string) =>
      results.find(x => x.entry.file === file)!.located.causes[0].tests;
    expect(tests('jest-assertion.log')).toEqual(['sum › adds two numbers']);
    expect(tests('pytest-failure.log')).toEqual([
      'tests/test_price.py::test_discount_applies_twenty_percent',
    ]);
    expect(tests('maven-surefire-failure.log')).toEqual([
      'com.example.FeeTest.tenPercentRoundsUp',
    ]);
    expect(tests('cargo-test-failure.log')).toEqual(['tests::fee_rounds_up']);
  });
});
