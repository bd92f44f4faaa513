#!/usr/bin/env node
// Live-output streaming load: a running job prints a timestamped line every 0.25 s on a few sshd
// hosts (scripts/services/sshd-hosts.sh on loopback) while 1, 50 and 200 concurrent viewers follow
// it. Each viewer watches one host, as the run page does, in one of two ways:
//   sse:  GET /api/jobs/runs/{id}/events?host=<host> (Server-Sent Events), as the run page does;
//   poll: GET /api/jobs/runs/{id} and GET /api/jobs/runs/{id}/hosts/{host} every 1 s: the run
//         page's own fallback when the stream is unavailable (the peer of this comparison).
// Measured per scenario, over the time from the last viewer connected to the run's end:
//   - the backend process's CPU time (user + system, /proc) per second of wall time (ms/s; 1000 =
//     one core busy), beside a run watched by nobody;
//   - its RSS growth (peak while viewed minus RSS just before the viewers connected);
//   - the delay from a line being printed on the host (`date +%s%N` in the script; the hosts are on
//     this machine, so one clock) to its arrival at each viewer: median and p95 over every
//     (viewer, line) pair of lines printed after all viewers connected;
//   - lines a viewer never received (should be 0).
// The viewers run in this one Node process (its CPU is printed too) on the same cores as the
// backend, so at 200 viewers they compete with it for CPU.
//   node bench/jobs-stream.mjs
// Environment: BENCH_VIEWERS (1,50,200), BENCH_STREAM_SECONDS (15), BENCH_HOSTS (3),
//   BENCH_SSHD_BASEPORT (22531), BENCH_PORT (7033)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  prepareJobsBench,
  startOpsdeckBackend,
} from './lib/opsdeckBackend.mjs';
import { cpuMs, rssMiB } from './lib/procStats.mjs';
import { startSshdHosts } from './lib/sshdHosts.mjs';
import { median, quantile, sleep } from './lib/stats.mjs';

const viewerCounts = (process.env.BENCH_VIEWERS ?? '1,50,200')
  .split(',')
  .map(Number);
const seconds = Number(process.env.BENCH_STREAM_SECONDS ?? 15);
const n = Number(process.env.BENCH_HOSTS ?? 3);
const basePort = Number(process.env.BENCH_SSHD_BASEPORT ?? 22531);
const port = Number(process.env.BENCH_PORT ?? 7033);
const LINE_EVERY_S = 0.25;

// prints "tick <n> <epoch ns>" every 0.25 s; the line count comes in as a parameter
const SCRIPT = `i=0
while [ "$i" -lt "$OPSDECK_PARAM_LINES" ]; do
  i=$((i + 1))
  echo "tick $i $(date +%s%N)"
  sleep ${LINE_EVERY_S}
done
`;

/** Collects each complete new line's delay; `text` is the host's whole stdout so far. */
function lineReader(delays, seen, connectedAt) {
  let done = 0; // characters already read
  return text => {
    const now = Date.now();
    if (text.length < done) done = 0; // a retry restarted the output
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(done, end).split('\n')) {
      const m = /^tick (\d+) (\d+)$/.exec(line);
      if (!m) continue;
      seen.add(Number(m[1]));
      const printedAt = Number(BigInt(m[2]) / 1_000_000n);
      if (printedAt >= connectedAt()) delays.push(now - printedAt);
    }
    done = Math.max(done, end);
  };
}

/** One SSE viewer of `host`; resolves when the stream ends. */
async function sseViewer(backend, token, runId, host, sample, onOpen) {
  const res = await fetch(
    `${backend.base}/api/jobs/runs/${runId}/events?host=${host}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!res.ok) throw new Error(`events: HTTP ${res.status}`);
  onOpen();
  const read = lineReader(sample.delays, sample.seen, sample.connectedAt);
  let stdout = '';
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; ) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      if (!frame.startsWith('event: output\n')) continue;
      const data = JSON.parse(frame.slice(frame.indexOf('data: ') + 6));
      if (data.stream !== 'stdout') continue;
      stdout = stdout.slice(0, data.offset) + data.text;
      read(stdout);
    }
  }
}

/** One polling viewer of `host` (the run page's fallback); resolves after the run ended. */
async function pollViewer(backend, token, runId, host, sample, onOpen) {
  const read = lineReader(sample.delays, sample.seen, sample.connectedAt);
  await sleep(Math.random() * 1000); // viewers do not poll in lockstep
  let opened = false;
  for (;;) {
    const started = Date.now();
    const { run } = await backend.api(token, 'GET', `/jobs/runs/${runId}`);
    const h = await backend.api(
      token,
      'GET',
      `/jobs/runs/${runId}/hosts/${host}`,
    );
    if (!opened) {
      opened = true;
      onOpen();
    }
    read(h.stdout);
    if (run.status !== 'running') return;
    await sleep(Math.max(0, 1000 - (Date.now() - started)));
  }
}

async function scenario(backend, token, jobId, hosts, mode, viewers) {
  const lines = Math.round(seconds / LINE_EVERY_S);
  const pid = backend.pgid; // run-backend.sh execs node: the group leader is the backend
  const rssBefore = rssMiB(pid);
  const started = await backend.api(token, 'POST', '/jobs/runs', {
    job: jobId,
    selector: { system: 'stream' },
    params: { LINES: String(lines) },
    options: { concurrency: hosts.length, timeoutSeconds: seconds * 4 },
  });
  let open = 0;
  let connectedAt = Infinity;
  const clientCpu0 = process.cpuUsage();
  let cpu0 = cpuMs(pid);
  let t0 = Date.now();
  const onOpen = () => {
    if (++open < viewers) return;
    connectedAt = Date.now();
    cpu0 = cpuMs(pid);
    t0 = connectedAt;
  };
  let rssPeak = rssBefore;
  const rssTimer = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMiB(pid));
  }, 200);
  const samples = [];
  const follow = mode === 'sse' ? sseViewer : pollViewer;
  const watchers = [];
  for (let i = 0; i < viewers; i++) {
    const sample = {
      delays: [],
      seen: new Set(),
      connectedAt: () => connectedAt,
    };
    samples.push(sample);
    watchers.push(
      follow(
        backend,
        token,
        started.id,
        hosts[i % hosts.length],
        sample,
        onOpen,
      ),
    );
  }
  if (viewers === 0) {
    // nobody watches: wait for the end with a rare look
    for (;;) {
      await sleep(2000);
      const { run } = await backend.api(
        token,
        'GET',
        `/jobs/runs/${started.id}`,
      );
      if (run.status !== 'running') break;
    }
  }
  await Promise.all(watchers);
  const wall = Date.now() - t0;
  const cpu = cpuMs(pid) - cpu0;
  clearInterval(rssTimer);
  const clientCpu = process.cpuUsage(clientCpu0);
  const { run } = await backend.api(token, 'GET', `/jobs/runs/${started.id}`);
  if (run.status !== 'succeeded') {
    throw new Error(
      `run ${run.id}: ${run.status} ${JSON.stringify(run.summary)}`,
    );
  }
  const delays = samples.flatMap(s => s.delays);
  return {
    mode,
    viewers,
    cpuPerS: (cpu / wall) * 1000,
    rssGrowth: rssPeak - rssBefore,
    rssPeak,
    median: median(delays),
    p95: quantile(delays, 0.95),
    samples: delays.length,
    missed: samples.reduce((sum, s) => sum + (lines - s.seen.size), 0),
    clientCpuPerS: ((clientCpu.user + clientCpu.system) / 1000 / wall) * 1000,
  };
}

async function main() {
  const sshd = await startSshdHosts(n, basePort);
  const { info } = sshd;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-stream-'));
  let backend;
  const rows = [];
  try {
    backend = await startOpsdeckBackend({
      work,
      info,
      port,
      system: 'stream',
    });
    const alice = await prepareJobsBench(backend, info, {
      system: 'stream',
      n,
    });
    const job = await backend.api(alice, 'POST', '/jobs/jobs', {
      name: 'bench-ticks',
      language: 'sh',
      script: SCRIPT,
      parameters: [{ name: 'LINES', type: 'number', required: true }],
      notifyOnFailure: false,
    });
    const hosts = Array.from(
      { length: n },
      (_, i) => `bench-${String(i).padStart(3, '0')}`,
    );
    // warm-up: code paths, host keys, the SSE route
    await scenario(backend, alice, job.id, hosts, 'sse', 1);
    rows.push(await scenario(backend, alice, job.id, hosts, 'none', 0));
    for (const viewers of viewerCounts) {
      for (const mode of ['sse', 'poll']) {
        rows.push(await scenario(backend, alice, job.id, hosts, mode, viewers));
        await sleep(2000); // let the closed connections settle
      }
    }
  } finally {
    await backend?.stop();
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(
    `Live output of a run on ${n} sshd hosts (a line every ${LINE_EVERY_S} s per host for ${seconds} s), each viewer following one host, ${
      cpus.length
    } CPUs (${cpus[0]?.model ?? '?'})`,
  );
  console.log('');
  console.log(
    '| viewers | how | backend CPU ms/s | backend RSS growth MiB | line delay median ms | p95 ms | lines missed | viewer process CPU ms/s |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  const f = x => (Number.isFinite(x) ? x.toFixed(0) : '–');
  for (const r of rows) {
    const how = {
      none: 'nobody watching',
      sse: 'SSE stream',
      poll: 'polling every 1 s (fallback)',
    }[r.mode];
    console.log(
      `| ${r.viewers} | ${how} | ${f(r.cpuPerS)} | ${r.rssGrowth.toFixed(
        1,
      )} | ${f(r.median)} | ${f(r.p95)} | ${r.viewers ? r.missed : '–'} | ${f(
        r.clientCpuPerS,
      )} |`,
    );
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
