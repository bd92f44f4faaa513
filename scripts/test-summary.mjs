#!/usr/bin/env node
// Adds up every runner's own results and prints the one line CI reads:
// "N passed, N failed". Exits 1 when anything failed, was skipped, or did not report.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'test-results';
let passed = 0;
let failed = 0;
const rows = [];
const add = (suite, p, f, note = '') => {
  passed += p;
  failed += f;
  rows.push(
    `${suite.padEnd(22)} ${String(p).padStart(5)} passed ${String(f).padStart(
      4,
    )} failed ${note}`,
  );
};
const readJson = file => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch {
    return undefined;
  }
};

// Static checks: one test each.
const checksDir = path.join(dir, 'checks');
for (const file of fs.existsSync(checksDir) ? fs.readdirSync(checksDir) : []) {
  if (!file.endsWith('.result')) continue;
  const ok =
    fs.readFileSync(path.join(checksDir, file), 'utf8').trim() === 'passed';
  add(`check ${file.replace(/\.result$/, '')}`, ok ? 1 : 0, ok ? 0 : 1);
}

// jest (--json): skipped ("pending") and todo tests count as failures; suites that
// failed to run count once each.
const jest = readJson('jest.json');
if (!jest) add('jest', 0, 1, '(no report: jest did not run)');
else {
  const notRun = (jest.numPendingTests ?? 0) + (jest.numTodoTests ?? 0);
  const brokenSuites = jest.numRuntimeErrorTestSuites ?? 0;
  const note = [
    notRun && `${notRun} skipped`,
    brokenSuites && `${brokenSuites} suites failed to run`,
  ]
    .filter(Boolean)
    .join(', ');
  add(
    'jest',
    jest.numPassedTests,
    jest.numFailedTests + notRun + brokenSuites,
    note && `(${note})`,
  );
  if (jest.numTotalTests === 0) add('jest', 0, 1, '(no tests found)');
}

// Playwright (json reporter): expected = passed; unexpected, flaky and skipped count as failed.
const e2e = readJson('e2e.json');
if (!e2e) add('playwright', 0, 1, '(no report: browser tests did not run)');
else {
  const s = e2e.stats ?? {};
  const errors = (e2e.errors ?? []).length;
  add(
    'playwright',
    s.expected ?? 0,
    (s.unexpected ?? 0) + (s.flaky ?? 0) + (s.skipped ?? 0) + errors,
    errors ? `(${errors} errors outside tests)` : '',
  );
  if ((s.expected ?? 0) + (s.unexpected ?? 0) === 0)
    add('playwright', 0, 1, '(no tests found)');
}

console.log(rows.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
