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
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const script = path.join(root, 'scripts/services/sshd-hosts.sh');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const ansibleRuns = Number(process.env.BENCH_ANSIBLE_RUNS ?? 3);
const n = Number(process.env.BENCH_HOSTS ?? 50);
const basePort = Number(process.env.BENCH_SSHD_BASEPORT ?? 22451);
const port = Number(process.env.BENCH_PORT ?? 7031);
const base = `http://localhost:${port}`;
const sleep = ms => new Promise(r => setTimeout(r, ms));

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

function writeConfig(work, info) {
  const entities = info.hosts
    .map(
      (h, i) => `---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: bench-${String(i).padStart(3, '0')}
spec:
  type: host
  address: ${h.host}
  port: ${h.port}
  loginUser: ${info.user}
  credential: bench-ssh
  environment: test
  owner: ops
  system: bench
`,
    )
    .join('');
  const hostsFile = path.join(work, 'hosts.yaml');
  fs.writeFileSync(hostsFile, entities);
  const config = path.join(work, 'bench.yaml');
  fs.writeFileSync(
    config,
    `app: { baseUrl: ${base} }
backend:
  baseUrl: ${base}
  listen: { port: ${port} }
  database:
    client: better-sqlite3
    connection: { directory: ${path.join(work, 'sqlite')} }
catalog:
  locations:
    - type: file
      target: ${path.join(root, 'examples/org.yaml')}
      rules:
        - allow: [User, Group]
    - type: file
      target: ${hostsFile}
opsdeck:
  remoteNode: { idleTimeoutMs: 500 }
  cmdb:
    facts: { initialDelaySeconds: 36000 }
`,
  );
  return { config };
}

async function api(token, method, route, body) {
  const res = await fetch(`${base}/api${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function login(user) {
  const res = await fetch(`${base}/api/local-auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'opsdeck-demo' }),
  });
  if (!res.ok) throw new Error(`login ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map(c => c.split(';')[0])
    .join('; ');
  const refresh = await fetch(`${base}/api/auth/opsdeck/refresh`, {
    headers: { Cookie: cookie, 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!refresh.ok) throw new Error(`refresh ${refresh.status}`);
  return (await refresh.json()).backstageIdentity.token;
}

async function opsdeckRun(token, jobId) {
  const started = await api(token, 'POST', '/jobs/runs', {
    job: jobId,
    selector: { system: 'bench' },
    options: { concurrency: n, timeoutSeconds: 60 },
  });
  for (;;) {
    const { run } = await api(token, 'GET', `/jobs/runs/${started.id}`);
    if (run.status !== 'running') {
      if (run.status !== 'succeeded' || run.summary.succeeded !== n) {
        throw new Error(
          `run ${run.id}: ${run.status} ${JSON.stringify(run.summary)}`,
        );
      }
      return;
    }
    await sleep(50);
  }
}

async function main() {
  const { stdout } = await run('bash', [
    script,
    'start',
    String(n),
    String(basePort),
  ]);
  const info = JSON.parse(stdout);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-jobs-'));
  const { config } = writeConfig(work, info);
  const log = fs.openSync(path.join(work, 'backend.log'), 'w');
  const backend = spawn(
    'bash',
    [
      path.join(root, 'scripts/lib/run-backend.sh'),
      'src/index',
      '--config',
      '../../app-config.yaml',
      '--config',
      config,
    ],
    { cwd: root, detached: true, stdio: ['ignore', log, log] },
  );
  const rows = [];
  try {
    for (let i = 0; ; i++) {
      if (i > 300)
        throw new Error(`backend did not start; see ${work}/backend.log`);
      try {
        const r = await fetch(`${base}/.backstage/health/v1/readiness`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(1000);
    }
    // sign-in needs the user in the catalog, which fills in after start-up
    let alice;
    for (let i = 0; !alice; i++) {
      try {
        alice = await login('alice');
      } catch (e) {
        if (i > 120) throw e;
        await sleep(1000);
      }
    }
    await api(alice, 'POST', '/vault/credentials', {
      name: 'bench-ssh',
      type: 'ssh-key',
      username: info.user,
      secret: fs.readFileSync(info.privateKey, 'utf8'),
    });
    const job = await api(alice, 'POST', '/jobs/jobs', {
      name: 'bench-uptime',
      language: 'sh',
      script: 'uptime',
    });
    for (let i = 0; ; i++) {
      const { items } = await api(alice, 'POST', '/jobs/hosts/preview', {
        selector: { system: 'bench' },
      });
      if (items.length === n) break;
      if (i > 300) throw new Error(`catalog has ${items.length} of ${n} hosts`);
      await sleep(1000);
    }
    await opsdeckRun(alice, job.id); // warm-up: backend code paths, host keys

    const fresh = [];
    for (let i = 0; i < runs; i++) {
      await sleep(1500); // idle connections are gone
      fresh.push(await timed(() => opsdeckRun(alice, job.id)));
    }
    const warm = [];
    for (let i = 0; i < runs; i++) {
      warm.push(await timed(() => opsdeckRun(alice, job.id)));
    }

    const hostsList = path.join(work, 'pssh-hosts');
    fs.writeFileSync(
      hostsList,
      info.hosts.map(h => `${h.host}:${h.port}\n`).join(''),
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
            hostsList,
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

    const inventory = path.join(work, 'inventory.ini');
    fs.writeFileSync(
      inventory,
      [
        ...info.hosts.map(
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
            { env: ansibleEnv, maxBuffer: 16 * 1024 * 1024 },
          ),
        ),
      );
    }

    const baseline = median(pssh);
    for (const [name, xs] of [
      ['opsdeck jobs API, fresh connections', fresh],
      ['opsdeck jobs API, warm pool', warm],
      ['parallel-ssh', pssh],
      ['ansible -m command (no ControlPersist)', ansible],
    ]) {
      rows.push({
        name,
        runs: xs.length,
        median: median(xs),
        min: Math.min(...xs),
        ratio: median(xs) / baseline,
      });
    }
  } finally {
    try {
      process.kill(-backend.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await sleep(2000);
    try {
      process.kill(-backend.pid, 'SIGKILL');
    } catch {
      // stopped
    }
    await run('bash', [script, 'stop', String(n), String(basePort)]);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(
    `Job \`uptime\` on ${n} sshd hosts end to end (start + follow through the HTTP API), concurrency = hosts, ${
      cpus.length
    } CPUs (${cpus[0]?.model ?? '?'})`,
  );
  console.log('');
  console.log('| hosts | tool | runs | median ms | min ms | vs parallel-ssh |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${n} | ${r.name} | ${r.runs} | ${r.median.toFixed(
        0,
      )} | ${r.min.toFixed(0)} | ${r.ratio.toFixed(2)}x |`,
    );
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
