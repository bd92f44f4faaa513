#!/usr/bin/env node
// Failure locator (plugins/cicd-backend) on a 50 MB console log:
//   opsdeck   FailureLocator.locate over the whole log (RE2 via re2-wasm, block prefilter, ranking)
//   grep      `grep -E -f patterns.txt log` with the same patterns (RE2 → ERE: \d → [0-9],
//             (?: → (), i.e. only "which lines match", no ranking
// Each measured in a fresh process: wall time (median of BENCH_RUNS) and peak RSS; the ratio is
// opsdeck / grep. The log is build noise (compiler progress, test dots, warnings) with a tsc error
// near the end, in Jenkins' pipeline format.
// Run from the repository root:
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/cicd.mjs
// Environment: BENCH_LOG_MB (50), BENCH_RUNS (3)
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const MB = Number(process.env.BENCH_LOG_MB ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
if (process.argv[2] === '--locate') {
  // child: locate in the given file, print ms and maxRSS
  const {
    FailureLocator,
  } = require('../plugins/cicd-backend/src/locator/locator.ts');
  const {
    BUILT_IN_CAUSES,
  } = require('../plugins/cicd-backend/src/locator/knowledgeBase.ts');
  const text = fs.readFileSync(process.argv[3], 'utf8');
  const t0 = process.hrtime.bigint();
  const result = new FailureLocator(BUILT_IN_CAUSES).locate(text);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(
    JSON.stringify({
      ms,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      top: result.causes[0]?.id,
      lines: result.causes[0]?.lines.slice(0, 3),
    }),
  );
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cicd-'));
const logFile = path.join(dir, 'console.log');
const patternFile = path.join(dir, 'patterns.txt');

// --- the log ------------------------------------------------------------------
const noise = [
  '[INFO] Compiling 42 source files to /var/jenkins_home/workspace/shop/target/classes',
  '  CC       src/lib/buffer.o',
  'webpack 5.94.0 compiled with 3 warnings in 20412 ms',
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  'PASS src/components/Cart.test.tsx (5.12 s)',
  '..........................................................................',
  'warning: unused variable: `tmp` --> src/main.rs:10:9',
  'Downloading from central: https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.pom',
];
const head = [
  'Started by user Alice Admin',
  '[Pipeline] Start of Pipeline',
  '[Pipeline] stage',
  '[Pipeline] { (Build)',
];
const tail = [
  "src/cart/total.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
  '[Pipeline] }',
  '[Pipeline] // stage',
  '[Pipeline] End of Pipeline',
  'ERROR: script returned exit code 2',
  'Finished: FAILURE',
];
const out = fs.openSync(logFile, 'w');
fs.writeSync(out, `${head.join('\n')}\n`);
const block = `${Array.from(
  { length: 4096 },
  (_, i) => `${noise[i % noise.length]} #${i}`,
).join('\n')}\n`;
let written = 0;
while (written < MB * 1024 * 1024) written += fs.writeSync(out, block);
fs.writeSync(out, `${tail.join('\n')}\n`);
fs.closeSync(out);
const bytes = fs.statSync(logFile).size;

// --- the same patterns for grep -E ------------------------------------------------
const {
  BUILT_IN_CAUSES,
} = require('../plugins/cicd-backend/src/locator/knowledgeBase.ts');
const patterns = BUILT_IN_CAUSES.flatMap(c => [
  ...c.patterns,
  ...(c.indications ?? []).flatMap(i => [i.first, i.then]),
  ...(c.testName ? [c.testName] : []),
]).map(p => p.replaceAll('\\d', '[0-9]').replaceAll('(?:', '('));
fs.writeFileSync(patternFile, `${patterns.join('\n')}\n`);

function timeIt(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024, stdout: r.stdout, status: r.status };
}

const ours = [];
const grep = [];
let sample;
let grepLines = 0;
for (let i = 0; i < RUNS; i++) {
  const r = timeIt(process.execPath, [
    '--require',
    './node_modules/@backstage/cli-node/config/nodeTransform.cjs',
    'bench/cicd.mjs',
    '--locate',
    logFile,
  ]);
  const parsed = JSON.parse(r.stdout);
  sample = parsed;
  ours.push({ ms: parsed.ms, wall: r.ms, rss: r.rssMb });
  const g = timeIt('grep', ['-E', '-n', '-f', patternFile, logFile]);
  if (g.status !== 0) throw new Error(`grep exited ${g.status}`);
  grepLines = g.stdout.split('\n').filter(Boolean).length;
  grep.push({ ms: g.ms, rss: g.rssMb });
}
const m = (xs, k) => median(xs.map(x => x[k]));
const lines = [
  `failure locator on a ${(bytes / 1024 / 1024).toFixed(1)} MiB console log (${
    patterns.length
  } patterns, ${RUNS} runs, median)`,
  `  opsdeck locate():  ${m(ours, 'ms').toFixed(0)} ms in locate, ${m(
    ours,
    'wall',
  ).toFixed(0)} ms process wall, peak RSS ${m(ours, 'rss').toFixed(
    0,
  )} MiB; top cause ${sample.top} at lines ${sample.lines.join(', ')}`,
  `  grep -E -f:        ${m(grep, 'ms').toFixed(0)} ms wall, peak RSS ${m(
    grep,
    'rss',
  ).toFixed(0)} MiB; ${grepLines} matching lines`,
  `  ratio opsdeck/grep: time ${(m(ours, 'wall') / m(grep, 'ms')).toFixed(
    1,
  )}x, memory ${(m(ours, 'rss') / m(grep, 'rss')).toFixed(1)}x`,
];
console.log(lines.join('\n'));
execFileSync('rm', ['-rf', dir]);
