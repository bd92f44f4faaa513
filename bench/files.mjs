#!/usr/bin/env node
// File distribution: time to put one 100 MiB file onto 10 and 50 real sshd hosts
// (scripts/services/sshd-hosts.sh on loopback), same file, same hosts, same run:
//   (a) opsdeck Distributor (plugins/files-backend): SFTP to a temporary name, SHA-256 checked on
//       every host with sha256sum, atomic rename; concurrency = hosts; fresh SSH pool per run
//   (b) parallel-scp (Debian pssh), one scp process per host, concurrency = hosts
//   (c) ansible all -m copy (forks = hosts; copy also checksums; one destination per host because
//       copy skips a destination that already has the same checksum)
// All three write the same bytes to every host; the hosts share this machine's disk and CPUs.
// Run from the repository root:
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/files.mjs
//   (d) opsdeck Distributor in relay mode: opsdeck streams once to the first host, each host
//       passes the stream on to the next (socat over mutual TLS with per-transfer keys), every
//       copy SHA-256 verified
// Environment: BENCH_HOSTS_JSON (hosts already running, see bench/files-bridge.sh), BENCH_RUNS (3), BENCH_ANSIBLE_RUNS (BENCH_RUNS), BENCH_SIZES (10,50),
//   BENCH_FILE_MIB (100), BENCH_SSHD_BASEPORT (22601),
//   BENCH_TOOLS (direct,pscp,ansible,relay; also relay-tree), BENCH_TITLE (a note printed with the table)
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { psshHostsFile, psshSshOptions } from './lib/sshBaselines.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const script = path.join(root, 'scripts/services/sshd-hosts.sh');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const ansibleRuns = Number(process.env.BENCH_ANSIBLE_RUNS ?? runs);
const basePort = Number(process.env.BENCH_SSHD_BASEPORT ?? 22601);
const sizes = (process.env.BENCH_SIZES ?? '10,50').split(',').map(Number);
const fileMiB = Number(process.env.BENCH_FILE_MIB ?? 100);
const maxHosts = Math.max(...sizes);
const tools = (process.env.BENCH_TOOLS ?? 'direct,pscp,ansible,relay').split(
  ',',
);

let remote;
let files;
try {
  remote = require(path.join(root, 'plugins/remote-node/src/index.ts'));
  files = {
    ...require(path.join(
      root,
      'plugins/files-backend/src/distribution/Distributor.ts',
    )),
    ...require(path.join(
      root,
      'plugins/files-backend/src/database/DatabaseDistributionStore.ts',
    )),
    ...require(path.join(
      root,
      'plugins/files-backend/src/database/DatabaseFileLibrary.ts',
    )),
    ...require(path.join(
      root,
      'plugins/files-backend/src/database/migrations.ts',
    )),
  };
} catch (e) {
  console.error(
    'Cannot load the plugins; run with\n  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/files.mjs',
  );
  throw e;
}
const knexFactory = require('knex');
const { SshConnectionPool, InMemoryHostKeyStore } = remote;
const {
  Distributor,
  DatabaseDistributionStore,
  DatabaseFileLibrary,
  applyFilesMigrations,
} = files;

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

const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error(m) {
    console.error(m);
  },
  child() {
    return quietLogger;
  },
};

function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function main() {
  // BENCH_HOSTS_JSON: hosts started by the caller (bench/files-bridge.sh), same shape as the
  // summary of sshd-hosts.sh; they are neither started nor stopped here.
  const external = process.env.BENCH_HOSTS_JSON;
  const info = external
    ? JSON.parse(fs.readFileSync(external, 'utf8'))
    : JSON.parse(
        (
          await run('bash', [
            script,
            'start',
            String(maxHosts),
            String(basePort),
          ])
        ).stdout,
      );
  const privateKey = fs.readFileSync(info.privateKey, 'utf8');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-files-'));
  fs.chmodSync(work, 0o777);
  const store = path.join(work, 'store');
  fs.mkdirSync(store);
  const source = path.join(store, 'payload');
  fs.writeFileSync(source, randomBytes(fileMiB * 1024 * 1024));
  const sha256 = sha256File(source);

  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(work, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  await applyFilesMigrations(knex);
  const library = new DatabaseFileLibrary(knex);
  const distributions = new DatabaseDistributionStore(knex);
  const file = await library.addVersion({
    name: 'payload.bin',
    size: fileMiB * 1024 * 1024,
    sha256,
    storageKey: 'payload',
    uploader: 'user:default/bench',
  });
  const hostKeys = new InMemoryHostKeyStore();
  const fresh = dir => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
  };

  const rows = [];
  try {
    for (const n of sizes) {
      const hosts = info.hosts.slice(0, n);

      // (a) and (d) opsdeck
      const opsdeckRuns = async strategy => {
        const times = [];
        for (let i = 0; i < runs; i++) {
          const dir = path.join(work, 'opsdeck');
          fresh(dir);
          const pool = new SshConnectionPool({
            hostKeyStore: hostKeys,
            maxConnectionsPerHost: 1,
          });
          const distributor = new Distributor({
            store: distributions,
            library,
            ssh: pool,
            getSecret: async () => ({ type: 'ssh-key', privateKey }),
            openStored: async (key, start) =>
              fs.createReadStream(path.join(store, key), { start }),
            allowedRoots: () => [work],
            logger: quietLogger,
            attempts: 1,
            commandTimeoutMs: 600_000,
          });
          const d = await distributions.create(
            {
              fileId: file.id,
              fileName: file.name,
              fileVersion: 1,
              size: file.size,
              sha256,
              targetPath: `${dir}/payload.bin`,
              strategy,
              concurrency: n,
              createdBy: 'user:default/bench',
            },
            hosts.map((h, i) => ({
              host: `resource:default/h${i + 1}`,
              address: h.host,
              port: h.port,
              loginUser: info.user,
              credential: 'bench',
            })),
          );
          times.push(
            await timed(async () => {
              distributor.start(d.id);
              await distributor.settled(d.id);
            }),
          );
          await pool.close();
          const done = await distributions.get(d.id);
          const bad = done.hosts.filter(h => h.state !== 'verified');
          if (bad.length)
            throw new Error(
              `opsdeck: ${bad.length} hosts failed: ${bad[0].error}`,
            );
          if (sha256File(`${dir}/payload.bin`) !== sha256)
            throw new Error('opsdeck: wrong content');
        }
        return times;
      };
      const opsdeck = tools.includes('direct')
        ? await opsdeckRuns('direct')
        : [];
      const relay = tools.includes('relay') ? await opsdeckRuns('relay') : [];
      const relayTree = tools.includes('relay-tree')
        ? await opsdeckRuns('relay-tree')
        : [];

      // (b) parallel-scp
      const hostsFile = psshHostsFile(work, hosts, `hosts-${n}`);
      const sshOpts = psshSshOptions(info);
      const pscp = [];
      for (let i = 0; i < (tools.includes('pscp') ? runs : 0); i++) {
        const dir = path.join(work, 'pscp');
        fresh(dir);
        pscp.push(
          await timed(() =>
            run('parallel-scp', [
              '-h',
              hostsFile,
              '-l',
              info.user,
              '-p',
              String(n),
              '-t',
              '0',
              ...sshOpts,
              source,
              `${dir}/payload.bin`,
            ]),
          ),
        );
      }

      // (c) ansible copy
      const inventory = path.join(work, `inventory-${n}.ini`);
      fs.writeFileSync(
        inventory,
        [
          ...hosts.map(
            (h, i) => `h${i + 1} ansible_host=${h.host} ansible_port=${h.port}`,
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
      for (let i = 0; i < (tools.includes('ansible') ? ansibleRuns : 0); i++) {
        const dir = path.join(work, 'ansible');
        fresh(dir);
        ansible.push(
          await timed(() =>
            run(
              'ansible',
              [
                'all',
                '-i',
                inventory,
                '-m',
                'copy',
                '-a',
                `src=${source} dest=${dir}/{{ inventory_hostname }}.bin mode=0644`,
                '-f',
                String(n),
                '-o',
              ],
              { env: ansibleEnv, maxBuffer: 16 * 1024 * 1024 },
            ),
          ),
        );
      }

      const base = median(pscp);
      for (const [name, xs] of [
        ['opsdeck direct (SFTP, sha256 verified, atomic rename)', opsdeck],
        ['opsdeck relay (chain, every copy sha256 verified)', relay],
        [
          'opsdeck relay-tree (fan-out 2, every copy sha256 verified)',
          relayTree,
        ],
        ['parallel-scp', pscp],
        ['ansible -m copy', ansible],
      ]) {
        if (xs.length === 0) continue;
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
    await knex.destroy();
    if (!external)
      await run('bash', [script, 'stop', String(maxHosts), String(basePort)]);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(
    `Distribution of one ${fileMiB} MiB file, concurrency = hosts, ${
      cpus.length
    } CPUs (${cpus[0]?.model ?? '?'})${
      external ? '' : ', loopback sshd hosts'
    }`,
  );
  if (process.env.BENCH_TITLE) console.log(process.env.BENCH_TITLE);
  console.log('');
  console.log('| hosts | tool | runs | median s | min s | vs parallel-scp |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.n} | ${r.name} | ${r.runs} | ${(r.median / 1000).toFixed(1)} | ${(
        r.min / 1000
      ).toFixed(1)} | ${
        Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : '–'
      } |`,
    );
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
