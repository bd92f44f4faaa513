#!/usr/bin/env node
// Backend cold start: time from spawning the process to a passing readiness check,
// and resident memory once ready, for opsdeck's backend (packages/backend/src/index.ts)
// and for the same stock Backstage plugins without opsdeck's (src/bare.ts).
// Runs alternate between the two so that machine noise hits both alike.
// Two ways of starting, each measured for both backends: without --enable-source-maps
// (as a built backend runs: `node packages/backend`), and with it (`backstage-cli
// package start`'s loader, which decodes every transformed module's inline source map).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnRunBackend, writeStartupConfig } from './lib/runBackend.mjs';

const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const runs = Number(process.argv[2] ?? 3);
const port = 7099;

/** RSS in MiB of every process in the group, and of the largest (the backend itself). */
function groupRss(pgid) {
  const ps = execFileSync('ps', ['-eo', 'pgid=,rss='], { encoding: 'utf8' });
  const rss = ps
    .trim()
    .split('\n')
    .map(l => l.trim().split(/\s+/).map(Number))
    .filter(([g]) => g === pgid)
    .map(([, kb]) => kb / 1024);
  return { total: rss.reduce((a, b) => a + b, 0), largest: Math.max(...rss) };
}

async function once(entrypoint, sourceMaps) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-'));
  const config = writeStartupConfig(dataDir, port);
  const started = performance.now();
  const child = spawnRunBackend({
    root,
    entry: entrypoint,
    configs: [config],
    env: { ...process.env, OPSDECK_SOURCE_MAPS: sourceMaps ? '1' : '0' },
  });
  let readyMs;
  for (let i = 0; i < 1800 && readyMs === undefined; i++) {
    try {
      const res = await fetch(
        `http://localhost:${port}/.backstage/health/v1/readiness`,
      );
      if (res.ok) readyMs = performance.now() - started;
    } catch {
      // not listening yet
    }
    if (readyMs === undefined) await new Promise(r => setTimeout(r, 100));
  }
  // Let start-up work that runs after readiness (catalog's first processing) settle.
  await new Promise(r => setTimeout(r, 5000));
  const rss = groupRss(child.pid);
  process.kill(-child.pid, 'SIGTERM');
  await new Promise(r => setTimeout(r, 1500));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (readyMs === undefined)
    throw new Error(`${entrypoint} did not become ready in 3 minutes`);
  return { readyMs, rss };
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const modes = [
  {
    name: 'without --enable-source-maps (as a built backend starts)',
    maps: false,
  },
  {
    name: 'with --enable-source-maps (backstage-cli package start)',
    maps: true,
  },
];
const results = modes.map(() => ({ opsdeck: [], bare: [] }));
for (let i = 0; i < runs; i++) {
  for (const [m, mode] of modes.entries()) {
    results[m].opsdeck.push(await once('src/index', mode.maps));
    results[m].bare.push(await once('src/bare', mode.maps));
  }
}
const row = (name, rs) => ({
  name,
  ready: median(rs.map(r => r.readyMs)) / 1000,
  rss: median(rs.map(r => r.rss.largest)),
  total: median(rs.map(r => r.rss.total)),
});
console.log(
  `backend cold start, median of ${runs} runs each, ${os.cpus().length} cores`,
);
for (const [m, mode] of modes.entries()) {
  const o = row('opsdeck', results[m].opsdeck);
  const b = row('bare Backstage', results[m].bare);
  console.log(`\n${mode.name}`);
  console.log(
    'backend            ready (s)   backend RSS (MiB)   process group RSS (MiB)',
  );
  for (const r of [o, b]) {
    console.log(
      `${r.name.padEnd(18)} ${r.ready.toFixed(1).padStart(9)}   ${r.rss
        .toFixed(0)
        .padStart(17)}   ${r.total.toFixed(0).padStart(23)}`,
    );
  }
  console.log(
    `ratio opsdeck/bare: ready ${(o.ready / b.ready).toFixed(
      2,
    )}x, backend RSS ${(o.rss / b.rss).toFixed(2)}x`,
  );
}
