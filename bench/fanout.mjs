#!/usr/bin/env node
// SSH fan-out: time to run `uptime` on 10 and on 50 real sshd hosts (scripts/services/sshd-hosts.sh)
//   (a) opsdeck fanOut, fresh connections (new SshConnectionPool every run)
//   (b) opsdeck fanOut, warm pool (connections kept from a warm-up run)
//   (c) parallel-ssh (Debian pssh), one OpenSSH client process per host
//   (d) ansible all -m command -a uptime (forks = concurrency; ControlPersist off, i.e. cold)
// Concurrency = number of hosts for all four. Prints medians and the ratio to parallel-ssh.
// Run from the repository root (loads the TypeScript library through Backstage's node transform):
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/fanout.mjs
// Environment: BENCH_RUNS (5), BENCH_ANSIBLE_RUNS (3), BENCH_SSHD_BASEPORT (22201), BENCH_SIZES (10,50)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  comparisonRows,
  printComparison,
  timeAnsible,
  timeParallelSsh,
} from './lib/sshBaselines.mjs';
import { startSshdHosts } from './lib/sshdHosts.mjs';
import { timed } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const ansibleRuns = Number(process.env.BENCH_ANSIBLE_RUNS ?? 3);
const basePort = Number(process.env.BENCH_SSHD_BASEPORT ?? 22201);
const sizes = (process.env.BENCH_SIZES ?? '10,50').split(',').map(Number);
const maxHosts = Math.max(...sizes);

let lib;
try {
  lib = require(path.join(root, 'plugins/remote-node/src/index.ts'));
} catch (e) {
  console.error(
    'Cannot load plugins/remote-node; run with\n  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/fanout.mjs',
  );
  throw e;
}
const { SshConnectionPool, InMemoryHostKeyStore, fanOut } = lib;

function checkAllOk(results, what) {
  const failed = results.filter(r => !r.ok);
  if (failed.length) {
    throw new Error(
      `${what}: ${failed.length} hosts failed, e.g. ${failed[0].error.message}`,
    );
  }
}

async function main() {
  const sshd = await startSshdHosts(maxHosts, basePort);
  const { info } = sshd;
  const privateKey = fs.readFileSync(info.privateKey);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-fanout-'));
  const hostKeys = new InMemoryHostKeyStore();
  const rows = [];
  try {
    for (const n of sizes) {
      const hosts = info.hosts.slice(0, n);
      const targets = hosts.map(h => ({
        host: h.host,
        port: h.port,
        credentials: { username: info.user, privateKey },
      }));
      const opsdeckRun = async pool => {
        const results = await fanOut(
          targets,
          t => pool.execChecked(t, 'uptime'),
          {
            concurrency: n,
          },
        );
        checkAllOk(results, 'opsdeck');
      };
      const poolOptions = { hostKeyStore: hostKeys, maxConnectionsPerHost: 1 };

      // (a) fresh connections
      const fresh = [];
      for (let i = 0; i < runs; i++) {
        const pool = new SshConnectionPool(poolOptions);
        fresh.push(await timed(() => opsdeckRun(pool)));
        await pool.close();
      }

      // (b) warm pool
      const warm = [];
      const warmPool = new SshConnectionPool(poolOptions);
      await opsdeckRun(warmPool);
      for (let i = 0; i < runs; i++)
        warm.push(await timed(() => opsdeckRun(warmPool)));
      await warmPool.close();

      // (c) parallel-ssh, (d) ansible
      const baselineArgs = { work, info, hosts, command: 'uptime' };
      const pssh = await timeParallelSsh({ ...baselineArgs, runs });
      const ansible = await timeAnsible({
        ...baselineArgs,
        runs: ansibleRuns,
      });

      rows.push(
        ...comparisonRows(
          n,
          [
            ['opsdeck fanOut, fresh connections', fresh],
            ['opsdeck fanOut, warm pool', warm],
          ],
          { pssh, ansible },
        ),
      );
    }
  } finally {
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  printComparison('SSH fan-out of `uptime`, concurrency = hosts', rows);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
