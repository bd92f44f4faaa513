#!/usr/bin/env node
// Each opsdeck package's share of the backend's start-up: one start of opsdeck's backend
// (packages/backend/src/index.ts, fresh SQLite directory, same config as startup.mjs) with
// V8's CPU and sampling heap profilers on, stopped with SIGINT once ready.
//   CPU:  the main thread's profile samples from process start to the ready moment.
//   heap: the sampling heap profile V8 writes at exit (JS objects still live then).
// A sample (or an allocation) belongs to the opsdeck package of the deepest stack frame in
// plugins/<package>/: that package was running, or loading its code and its dependencies
// (the require chain passes through its files). No such frame: Backstage and shared.
//   node bench/startupShares.mjs [--keep]   (--keep: keep the profiles and print where)
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnRunBackend, writeStartupConfig } from './lib/runBackend.mjs';

const root = fs.realpathSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
);
const pluginsDir = path.join(root, 'plugins') + path.sep;
const keep = process.argv.includes('--keep');
const NOT_ATTRIBUTABLE = '(Backstage and shared, not attributable)';
const TOP = 25;

const nowUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, as V8's profiles

function portFree(port) {
  return new Promise(resolve => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function pickPort() {
  if (await portFree(7099)) return 7099;
  const server = net.createServer();
  await new Promise(resolve => server.listen(0, resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Starts the backend with the profilers, waits until ready, stops it with SIGINT. */
async function profiledStart(dataDir, port) {
  const profDir = path.join(dataDir, 'profiles');
  fs.mkdirSync(profDir);
  const config = writeStartupConfig(dataDir, port);
  const log = fs.openSync(path.join(dataDir, 'backend.log'), 'w');
  // run-backend.sh `exec`s node, which inherits NODE_OPTIONS; so does every other node the
  // script starts (its toolchain check), hence the profiles are picked by the backend's pid.
  const flags = `--cpu-prof --cpu-prof-dir=${profDir} --heap-prof --heap-prof-dir=${profDir} --heap-prof-interval=65536`;
  const spawnedUs = nowUs();
  const child = spawnRunBackend({
    root,
    configs: [config],
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${flags}`.trim(),
    },
  });
  let exited = false;
  const exit = new Promise(resolve =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  let readyUs;
  for (let i = 0; i < 1800 && readyUs === undefined && !exited; i++) {
    try {
      const res = await fetch(
        `http://localhost:${port}/.backstage/health/v1/readiness`,
      );
      if (res.ok) readyUs = nowUs();
    } catch {
      // not listening yet
    }
    if (readyUs === undefined) await new Promise(r => setTimeout(r, 100));
  }
  // SIGINT to the backend alone: Backstage stops its plugins and exits, and Node writes the
  // profiles on the way out. The process group goes after 15 s whatever happened.
  try {
    process.kill(child.pid, 'SIGINT');
  } catch {
    // already gone
  }
  let timer;
  await Promise.race([
    exit,
    new Promise(r => {
      timer = setTimeout(r, 15000);
    }),
  ]);
  clearTimeout(timer);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // group already gone
  }
  fs.closeSync(log);
  if (readyUs === undefined) {
    throw new Error(
      `the backend did not become ready (see ${dataDir}/backend.log)`,
    );
  }
  const mine = ext =>
    fs
      .readdirSync(profDir)
      .filter(f => f.endsWith(ext) && f.includes(`.${child.pid}.0.`)) // main thread
      .map(f => path.join(profDir, f))[0];
  const cpu = mine('.cpuprofile');
  const heap = mine('.heapprofile');
  if (!cpu || !heap) {
    throw new Error(
      `no profiles from pid ${child.pid}: the backend did not exit within 15 s of SIGINT`,
    );
  }
  return { spawnedUs, readyUs, cpu, heap };
}

const pkgCache = new Map();
/** plugins/<pkg> directory name of a script url, or undefined. */
function pkgOf(url) {
  if (!url) return undefined;
  if (!pkgCache.has(url)) {
    let file = url;
    if (url.startsWith('file://')) {
      try {
        file = fileURLToPath(url);
      } catch {
        file = '';
      }
    }
    pkgCache.set(
      url,
      file.startsWith(pluginsDir)
        ? file.slice(pluginsDir.length).split(path.sep)[0]
        : undefined,
    );
  }
  return pkgCache.get(url);
}

/** Main-thread time (µs) per package from a .cpuprofile, samples before cutUs only. */
function cpuShares(profile, cutUs) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const owner = new Map(); // node id -> bucket
  const special = new Map([
    ['(idle)', '(idle)'],
    ['(garbage collector)', '(GC)'],
    ['(program)', '(program)'],
  ]);
  const walk = [[profile.nodes[0].id, NOT_ATTRIBUTABLE]];
  while (walk.length) {
    const [id, inherited] = walk.pop();
    const node = byId.get(id);
    const bucket =
      special.get(node.callFrame.functionName) ??
      pkgOf(node.callFrame.url) ??
      inherited;
    owner.set(id, bucket);
    for (const c of node.children ?? []) walk.push([c, bucket]);
  }
  const end = Math.min(profile.endTime, cutUs);
  const times = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const shares = new Map();
  for (let i = 0; i < profile.samples.length && times[i] < end; i++) {
    const next = Math.min(times[i + 1] ?? end, end);
    const bucket = owner.get(profile.samples[i]);
    shares.set(
      bucket,
      (shares.get(bucket) ?? 0) + Math.max(0, next - times[i]),
    );
  }
  return shares;
}

/** Bytes per package from a .heapprofile (sampled live JS objects). */
function heapShares(profile) {
  const shares = new Map();
  const walk = [[profile.head, NOT_ATTRIBUTABLE]];
  while (walk.length) {
    const [node, inherited] = walk.pop();
    const bucket = pkgOf(node.callFrame.url) ?? inherited;
    shares.set(bucket, (shares.get(bucket) ?? 0) + node.selfSize);
    for (const c of node.children ?? []) walk.push([c, bucket]);
  }
  return shares;
}

const port = await pickPort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-shares-'));
let run;
try {
  run = await profiledStart(dataDir, port);
} catch (e) {
  console.error(`startupShares: ${e.message}`);
  process.exit(1);
}
const cpuProfile = JSON.parse(fs.readFileSync(run.cpu, 'utf8'));
const heapProfile = JSON.parse(fs.readFileSync(run.heap, 'utf8'));
// The profile's clock is the monotonic clock of process.hrtime: cut at the ready moment.
// If the clocks do not line up, all samples until SIGINT are used, and the output says so.
const aligned =
  cpuProfile.startTime >= run.spawnedUs && cpuProfile.startTime < run.readyUs;
const cpu = cpuShares(cpuProfile, aligned ? run.readyUs : Infinity);
const heap = heapShares(heapProfile);
if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });

const ms = us => (us ?? 0) / 1000;
const mib = b => (b ?? 0) / 1048576;
const others = new Set([NOT_ATTRIBUTABLE, '(idle)', '(GC)', '(program)']);
const pkgs = [...new Set([...cpu.keys(), ...heap.keys()])]
  .filter(k => !others.has(k))
  .map(k => ({ name: k, cpu: ms(cpu.get(k)), heap: mib(heap.get(k)) }))
  .sort((a, b) => b.cpu - a.cpu || b.heap - a.heap);
const sum = (rows, key) => rows.reduce((s, r) => s + r[key], 0);
const pkgCpu = sum(pkgs, 'cpu');
const pkgHeap = sum(pkgs, 'heap');
const busy = [...cpu].reduce(
  (s, [k, v]) => (k === '(idle)' ? s : s + ms(v)),
  0,
);
const heapTotal = mib([...heap.values()].reduce((s, v) => s + v, 0));
const pct = (x, of) => (of ? `${((100 * x) / of).toFixed(1)}%` : '-');
const line = (name, cpuMs, share = '', heapMib) =>
  console.log(
    `${name.padEnd(42)} ${cpuMs.toFixed(0).padStart(7)} ${share.padStart(6)} ${
      heapMib === undefined ? '' : heapMib.toFixed(1).padStart(8)
    }`.trimEnd(),
  );

const readyS = (run.readyUs - run.spawnedUs) / 1e6;
console.log(
  `opsdeck packages' shares of one backend start with V8's profilers on (ready in ${readyS.toFixed(
    1,
  )} s, ${os.cpus().length} cores)`,
);
console.log(
  aligned
    ? 'CPU: main-thread samples from process start to ready; % of the CPU attributed to opsdeck packages.'
    : "CPU: main-thread samples until SIGINT (the profile's clock did not line up with the ready moment).",
);
console.log('heap: JS heap sampled by V8 (objects live at exit), not RSS.');
console.log(`${'package (plugins/<dir>)'.padEnd(42)}  CPU ms      %  heap MiB`);
for (const r of pkgs.slice(0, TOP))
  line(r.name, r.cpu, pct(r.cpu, pkgCpu), r.heap);
const rest = pkgs.slice(TOP);
if (rest.length) {
  const restCpu = sum(rest, 'cpu');
  line(
    `(${rest.length} more)`,
    restCpu,
    pct(restCpu, pkgCpu),
    sum(rest, 'heap'),
  );
}
line(`opsdeck packages (${pkgs.length})`, pkgCpu, '100%', pkgHeap);
line(
  NOT_ATTRIBUTABLE,
  ms(cpu.get(NOT_ATTRIBUTABLE)),
  '',
  mib(heap.get(NOT_ATTRIBUTABLE)),
);
line('(GC)', ms(cpu.get('(GC)')));
line('(program: native code, no JS frame)', ms(cpu.get('(program)')));
line('main thread busy, total', busy, '', heapTotal);
line('(idle: waiting for I/O and timers)', ms(cpu.get('(idle)')));
console.log(
  `opsdeck packages: ${pct(pkgCpu, busy)} of the busy main thread, ${pct(
    pkgHeap,
    heapTotal,
  )} of the sampled heap.`,
);
if (keep) console.log(`profiles kept in ${path.dirname(run.cpu)}`);
