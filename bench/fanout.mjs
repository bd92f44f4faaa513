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
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const script = path.join(root, 'scripts/services/sshd-hosts.sh');
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

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function checkAllOk(results, what) {
  const failed = results.filter(r => !r.ok);
  if (failed.length) {
    throw new Error(
      `${what}: ${failed.length} hosts failed, e.g. ${failed[0].error.message}`,
    );
  }
}

async function main() {
  const { stdout } = await run('bash', [
    script,
    'start',
    String(maxHosts),
    String(basePort),
  ]);
  const info = JSON.parse(stdout);
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

      // (c) parallel-ssh
      const hostsFile = path.join(work, `hosts-${n}`);
      fs.writeFileSync(
        hostsFile,
        hosts.map(h => `${h.host}:${h.port}\n`).join(''),
      );
      const sshOpts = [
        'StrictHostKeyChecking=no',
        'UserKnownHostsFile=/dev/null',
        'LogLevel=ERROR',
        'BatchMode=yes',
        `IdentityFile=${info.privateKey}`,
        'IdentitiesOnly=yes',
      ].flatMap(o => ['-O', o]);
      const pssh = [];
      for (let i = 0; i < runs; i++) {
        pssh.push(
          await timed(() =>
            run('parallel-ssh', [
              '-h',
              hostsFile,
              '-l',
              info.user,
              '-p',
              String(n),
              '-t',
              '120',
              ...sshOpts,
              'uptime',
            ]),
          ),
        );
      }

      // (d) ansible
      const inventory = path.join(work, `inventory-${n}.ini`);
      fs.writeFileSync(
        inventory,
        [
          ...hosts.map(
            h => `h${h.port} ansible_host=${h.host} ansible_port=${h.port}`,
          ),
          '[all:vars]',
          `ansible_user=${info.user}`,
          `ansible_ssh_private_key_file=${info.privateKey}`,
          'ansible_python_interpreter=/usr/bin/python3',
          "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'",
          '',
        ].join('\n'),
      );
      const ansibleEnv = {
        ...process.env,
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
        ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
        ANSIBLE_NOCOLOR: '1',
      };
      const ansible = [];
      for (let i = 0; i < ansibleRuns; i++) {
        ansible.push(
          await timed(() =>
            run(
              'ansible',
              [
                'all',
                '-i',
                inventory,
                '-m',
                'command',
                '-a',
                'uptime',
                '-f',
                String(n),
                '-o',
              ],
              {
                env: ansibleEnv,
                maxBuffer: 16 * 1024 * 1024,
              },
            ),
          ),
        );
      }

      const base = median(pssh);
      for (const [name, xs] of [
        ['opsdeck fanOut, fresh connections', fresh],
        ['opsdeck fanOut, warm pool', warm],
        ['parallel-ssh', pssh],
        ['ansible -m command (no ControlPersist)', ansible],
      ]) {
        rows.push({
          n,
          name,
          runs: xs.length,
          median: median(xs),
          min: Math.min(...xs),
          ratio: median(xs) / base,
        });
      }
    }
  } finally {
    await run('bash', [script, 'stop', String(maxHosts), String(basePort)]);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(
    `SSH fan-out of \`uptime\`, concurrency = hosts, ${cpus.length} CPUs (${
      cpus[0]?.model ?? '?'
    })`,
  );
  console.log('');
  console.log('| hosts | tool | runs | median ms | min ms | vs parallel-ssh |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.n} | ${r.name} | ${r.runs} | ${r.median.toFixed(
        0,
      )} | ${r.min.toFixed(0)} | ${r.ratio.toFixed(2)}x |`,
    );
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
