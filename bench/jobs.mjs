#!/usr/bin/env node
// Jobs end to end: one job (`uptime`) on 50 real sshd hosts (scripts/services/sshd-hosts.sh on
// loopback), started and followed through opsdeck's HTTP API, against parallel-ssh and ansible
// running the same command on the same hosts in the same run.
//   (a) opsdeck, fresh connections: POST /api/jobs/runs, then GET /api/jobs/runs/{id} every 50 ms
//       until the run has ended; the backend's SSH pool closes idle connections after 0.5 s
//       (opsdeck.remoteNode.idleTimeoutMs) and runs start 1.5 s apart, so every run connects anew
//   (b) opsdeck, warm pool: the next run starts right after the previous one ended
//   (c) parallel-ssh (Debian pssh), one OpenSSH client process per host, -p = hosts
//   (d) ansible all -m command -a uptime -f <hosts>, ControlMaster off
// opsdeck runs the full backend (packages/backend, SQLite) from source with a generated catalog of
// the hosts; every opsdeck run is checked to have succeeded on every host.
//   node bench/jobs.mjs
// Environment: BENCH_RUNS (5), BENCH_ANSIBLE_RUNS (3), BENCH_HOSTS (50),
//   BENCH_SSHD_BASEPORT (22451), BENCH_PORT (7031)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  prepareJobsBench,
  startOpsdeckBackend,
} from './lib/opsdeckBackend.mjs';
import {
  comparisonRows,
  printComparison,
  timeAnsible,
  timeParallelSsh,
} from './lib/sshBaselines.mjs';
import { startSshdHosts } from './lib/sshdHosts.mjs';
import { sleep, timed } from './lib/stats.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const ansibleRuns = Number(process.env.BENCH_ANSIBLE_RUNS ?? 3);
const n = Number(process.env.BENCH_HOSTS ?? 50);
const basePort = Number(process.env.BENCH_SSHD_BASEPORT ?? 22451);
const port = Number(process.env.BENCH_PORT ?? 7031);

async function opsdeckRun(backend, token, jobId) {
  const started = await backend.api(token, 'POST', '/jobs/runs', {
    job: jobId,
    selector: { system: 'bench' },
    options: { concurrency: n, timeoutSeconds: 60 },
  });
  for (;;) {
    const { run: r } = await backend.api(
      token,
      'GET',
      `/jobs/runs/${started.id}`,
    );
    if (r.status !== 'running') {
      if (r.status !== 'succeeded' || r.summary.succeeded !== n) {
        throw new Error(
          `run ${r.id}: ${r.status} ${JSON.stringify(r.summary)}`,
        );
      }
      return;
    }
    await sleep(50);
  }
}

async function main() {
  const sshd = await startSshdHosts(n, basePort);
  const { info } = sshd;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-jobs-'));
  let backend;
  const rows = [];
  try {
    backend = await startOpsdeckBackend({ work, info, port });
    const alice = await prepareJobsBench(backend, info, { system: 'bench', n });
    const job = await backend.api(alice, 'POST', '/jobs/jobs', {
      name: 'bench-uptime',
      language: 'sh',
      script: 'uptime',
    });
    await opsdeckRun(backend, alice, job.id); // warm-up: code paths, host keys

    const fresh = [];
    for (let i = 0; i < runs; i++) {
      await sleep(1500); // idle connections are gone
      fresh.push(await timed(() => opsdeckRun(backend, alice, job.id)));
    }
    const warm = [];
    for (let i = 0; i < runs; i++) {
      warm.push(await timed(() => opsdeckRun(backend, alice, job.id)));
    }
    const baselineArgs = { work, info, hosts: info.hosts, command: 'uptime' };
    const pssh = await timeParallelSsh({ ...baselineArgs, runs });
    const ansible = await timeAnsible({ ...baselineArgs, runs: ansibleRuns });

    rows.push(
      ...comparisonRows(
        n,
        [
          ['opsdeck jobs API, fresh connections', fresh],
          ['opsdeck jobs API, warm pool', warm],
        ],
        { pssh, ansible },
      ),
    );
  } finally {
    await backend?.stop();
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  printComparison(
    `Job \`uptime\` on ${n} sshd hosts end to end (start + follow through the HTTP API), concurrency = hosts`,
    rows,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
