#!/usr/bin/env node
// Config push to 100 hosts: one nginx config rendered from a template with per-host variables,
// validated on each host with `nginx -t`, swapped in atomically and reloaded, through opsdeck's
// config plugin (config-backend's ConfigService and Releaser over remote-node's SshConnectionPool,
// loaded from TypeScript source) against an Ansible playbook doing the same (`template`
// with `validate:` and `backup: true`, `notify` → a handler running `nginx -s reload`), on the same
// hosts, in the same run.
//
// Hosts: N real sshd servers on 127.0.0.1 (scripts/services/sshd-hosts.sh), each in its own mount
// namespace (bench/lib/sshd-own-dir.sh) so that one absolute path is a different file on each host,
// each with its own real nginx (own prefix and port) started over SSH as the hosts' user.
//   (a) opsdeck: ConfigService.saveVersion (the run's marker in the defaults), then
//       ConfigService.push with batchSize = P (maxBatchSize = P), awaited to its end; every host
//       must be `done`. This is what POST /api/config/sets/{id}/versions and .../releases call;
//       the store is SQLite (a file). Per host (Releaser): render, read the live file, upload over
//       SFTP into a private directory beside the target, `nginx -t` in a staged copy of the
//       target's directory, swap keeping the previous file, `nginx -s reload`, read back the live
//       file (drift baseline), progress written to the store at each step. Runs start 1.5 s apart;
//       the SSH pool closes idle connections after 0.5 s, so every run connects anew.
//   (b) ansible-playbook, forks = P, linear strategy, no fact gathering, default ControlPersist
//       (connections are reused between a host's tasks within a run) with a fresh control socket
//       directory per run (every run connects anew), pipelining off (the default).
// P = BENCH_PARALLELISM, default N (all hosts at once). opsdeck pushes in batches of P, each batch
// waiting for its slowest host; Ansible keeps P forks busy.
// After every run (untimed) every host's nginx must answer with that run's marker and host name.
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/config.mjs
// Environment: BENCH_HOSTS (100), BENCH_PARALLELISM (= hosts: opsdeck's batch size and Ansible's
//   forks), BENCH_RUNS (3), BENCH_ANSIBLE_RUNS (3),
//   BENCH_SSHD_BASEPORT (23101), BENCH_NGINX_BASEPORT (23301)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshdHosts, stopSshdHosts } from './lib/sshdHosts.mjs';
import { median, sleep, timed } from './lib/stats.mjs';

const run = promisify(execFile);
const n = Number(process.env.BENCH_HOSTS ?? 100);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const ansibleRuns = Number(process.env.BENCH_ANSIBLE_RUNS ?? 3);
// hosts at once: opsdeck's batch size, Ansible's forks
const parallelism = Number(process.env.BENCH_PARALLELISM ?? n);
const sshdBase = Number(process.env.BENCH_SSHD_BASEPORT ?? 23101);
const nginxBase = Number(process.env.BENCH_NGINX_BASEPORT ?? 23301);
const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const src = file => {
  try {
    return require(path.join(repo, file));
  } catch (e) {
    console.error(
      'Cannot load the TypeScript sources; run with\n  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/config.mjs',
    );
    throw e;
  }
};
const { SshConnectionPool, InMemoryHostKeyStore } = src(
  'plugins/remote-node/src/index.ts',
);
const { ConfigStore } = src(
  'plugins/config-backend/src/database/ConfigStore.ts',
);
const { applyConfigMigrations } = src(
  'plugins/config-backend/src/database/migrations.ts',
);
const { Releaser } = src('plugins/config-backend/src/release/Releaser.ts');
const { ConfigService } = src(
  'plugins/config-backend/src/service/ConfigService.ts',
);
const NGINX = '/usr/sbin/nginx';

const hostName = i => `bench-${String(i).padStart(3, '0')}`;

/**
 * The config in both template languages: `vars.x` / `host.name` for opsdeck's Handlebars, the
 * same names as Ansible variables (`x` / `inventory_hostname`) for Jinja2.
 */
const TEMPLATE = `# {{release}}: nginx for {{name}}
worker_processes 1;
pid {{root}}/run/nginx.pid;
error_log {{root}}/run/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {{root}}/tmp/body;
  proxy_temp_path {{root}}/tmp/proxy;
  fastcgi_temp_path {{root}}/tmp/fastcgi;
  uwsgi_temp_path {{root}}/tmp/uwsgi;
  scgi_temp_path {{root}}/tmp/scgi;
  server {
    listen 127.0.0.1:{{port}};
    server_name {{name}};
    location / { return 200 "{{release}} from {{name}}\\n"; }
  }
}
`;
const handlebars = TEMPLATE.replace(/\{\{name\}\}/g, '{{host.name}}').replace(
  /\{\{(release|root|port)\}\}/g,
  '{{vars.$1}}',
);
const jinja = TEMPLATE.replace(/\{\{name\}\}/g, '{{ inventory_hostname }}')
  .replace(/\{\{port\}\}/g, '{{ nginx_port }}')
  .replace(/\{\{(release|root)\}\}/g, '{{ $1 }}');
const rendered = (release, root, i) =>
  TEMPLATE.replace(/\{\{release\}\}/g, release)
    .replace(/\{\{root\}\}/g, root)
    .replace(/\{\{port\}\}/g, String(nginxBase + i))
    .replace(/\{\{name\}\}/g, hostName(i));

const sshArgs = (info, h) => [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'BatchMode=yes',
  '-i',
  info.privateKey,
  '-p',
  String(h.port),
  `${info.user}@${h.host}`,
];

/** Runs fn(item, index) over items, `limit` at a time. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** Waits until every host's nginx answers with `release` (untimed check after each run). */
async function checkServed(release) {
  const wrong = [];
  await pool(
    Array.from({ length: n }, (_, i) => i),
    20,
    async i => {
      const want = `${release} from ${hostName(i)}\n`;
      let body;
      for (let t = 0; t < 100; t++) {
        try {
          body = await (
            await fetch(`http://127.0.0.1:${nginxBase + i}/`)
          ).text();
          if (body === want) return;
        } catch (e) {
          body = String(e);
        }
        await sleep(100);
      }
      wrong.push(`${hostName(i)}: ${body}`);
    },
  );
  if (wrong.length > 0) {
    throw new Error(
      `${wrong.length} hosts do not serve ${release}: ${wrong
        .slice(0, 3)
        .join('; ')}`,
    );
  }
}

const alice = {
  ref: 'user:default/alice',
  credentials: {
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'user', userEntityRef: 'user:default/alice' },
  },
  mayPushProd: true,
};

/** opsdeck's config service as the plugin wires it, over a SQLite file and an SSH pool. */
async function startOpsdeck(work, info, targets) {
  const knex = require('knex')({
    client: 'better-sqlite3',
    connection: { filename: path.join(work, 'config.sqlite') },
    useNullAsDefault: true,
  });
  await applyConfigMigrations(knex);
  const store = new ConfigStore(knex);
  // the backend's pool with opsdeck.remoteNode.idleTimeoutMs = 500 (as bench/jobs.mjs)
  const ssh = new SshConnectionPool({
    hostKeyStore: new InMemoryHostKeyStore(),
    idleTimeoutMs: 500,
  });
  const privateKey = fs.readFileSync(info.privateKey, 'utf8');
  // the plugin takes each host's login out of the vault; here it is the test key
  const sshTargets = () => async host => ({
    host: host.address,
    port: host.port,
    credentials: { username: info.user, privateKey },
  });
  const logger = {
    info() {},
    debug() {},
    warn: m => console.error(m),
    error: m => console.error(m),
    child() {
      return logger;
    },
  };
  const releaser = new Releaser({ store, ssh, sshTargets, logger });
  const service = new ConfigService({
    store,
    releaser,
    ssh,
    sshTargets,
    maxBatchSize: parallelism,
    hosts: { resolveHosts: async () => targets },
  });
  return {
    service,
    async stop() {
      await releaser.idle();
      await ssh.close();
      await knex.destroy();
    },
  };
}

/** One opsdeck push of a new version (the run's marker) to every host; ms from save to end. */
async function opsdeckRun(service, setId, variables, release) {
  return timed(async () => {
    const version = await service.saveVersion(
      setId,
      {
        template: handlebars,
        variables: {
          ...variables,
          defaults: { ...variables.defaults, release },
        },
        message: release,
      },
      alice,
    );
    const { release: started, done } = await service.push(
      setId,
      { version: version.version, batchSize: parallelism },
      alice,
    );
    await done;
    const r = await service.store.getRelease(started.id);
    const notDone = r.hosts.filter(h => h.state !== 'done');
    if (r.status !== 'done' || notDone.length > 0 || r.hosts.length !== n) {
      throw new Error(
        `release ${r.id}: ${r.status}, ${
          r.hosts.length
        } hosts, not done: ${JSON.stringify(notDone.slice(0, 3))}`,
      );
    }
  });
}

function writeAnsible(work, info, root) {
  const dir = path.join(work, 'ansible');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'nginx.conf.j2'), jinja);
  fs.writeFileSync(
    path.join(dir, 'inventory.ini'),
    [
      ...info.hosts.map(
        (h, i) =>
          `${hostName(i)} ansible_host=${h.host} ansible_port=${
            h.port
          } nginx_port=${nginxBase + i}`,
      ),
      '[all:vars]',
      `ansible_user=${info.user}`,
      `ansible_ssh_private_key_file=${info.privateKey}`,
      'ansible_python_interpreter=/usr/bin/python3',
      "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'",
      `root=${root}`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'push.yml'),
    `- hosts: all
  gather_facts: false
  tasks:
    - name: nginx.conf from the template, validated on the host before it replaces the live file
      ansible.builtin.template:
        src: nginx.conf.j2
        dest: "{{ root }}/conf/nginx.conf"
        validate: ${NGINX} -t -q -e /dev/stderr -c %s
        backup: true
      notify: reload nginx
  handlers:
    - name: reload nginx
      ansible.builtin.command: ${NGINX} -s reload -e /dev/stderr -c {{ root }}/conf/nginx.conf
`,
  );
  return dir;
}

/** One ansible-playbook run with the run's marker; ms. Every host must have changed, none failed. */
async function ansibleRun(dir, work, release, index) {
  // a fresh control socket directory: this run opens its own connections
  const control = path.join(work, `ansible-cp-${index}`);
  fs.mkdirSync(control, { recursive: true });
  const env = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=60s',
    ANSIBLE_SSH_CONTROL_PATH_DIR: control,
    ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
  };
  let out;
  const ms = await timed(async () => {
    out = await run(
      'ansible-playbook',
      [
        '-i',
        'inventory.ini',
        'push.yml',
        '-f',
        String(parallelism),
        '-e',
        `release=${release}`,
      ],
      { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
    );
  });
  // close this run's connection masters (they would live 60 s)
  for (const sock of fs.readdirSync(control)) {
    await run('ssh', [
      '-o',
      `ControlPath=${path.join(control, sock)}`,
      '-O',
      'exit',
      'bench',
    ]).catch(() => undefined);
  }
  const recap = out.stdout.split('PLAY RECAP')[1] ?? '';
  const changed = [...recap.matchAll(/changed=(\d+).*failed=(\d+)/g)];
  if (changed.length !== n || changed.some(m => m[1] !== '2' || m[2] !== '0')) {
    throw new Error(`ansible run ${release}: unexpected recap\n${recap}`);
  }
  return ms;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-config-'));
  fs.chmodSync(work, 0o755);
  // the path every host sees as its own directory (a bind mount in each sshd's namespace)
  const root = path.join(work, 'host');
  const hostsDir = path.join(work, 'hosts');
  fs.mkdirSync(root);
  for (let i = 0; i < n; i++) {
    const own = path.join(hostsDir, String(sshdBase + i));
    for (const d of ['conf', 'run', 'tmp']) {
      fs.mkdirSync(path.join(own, d), { recursive: true });
    }
    fs.writeFileSync(
      path.join(own, 'conf', 'nginx.conf'),
      rendered('initial', root, i),
    );
  }
  await run('chown', ['-R', 'opsdeck:', hostsDir]);

  let sshd;
  let opsdeck;
  const result = { opsdeck: [], ansible: [] };
  try {
    sshd = await startSshdHosts(n, sshdBase, {
      OPSDECK_SSHD: path.join(here, 'lib/sshd-own-dir.sh'),
      BENCH_OWN_DIR_HOSTS: hostsDir,
      BENCH_OWN_DIR_MOUNT: root,
    });
    const { info } = sshd;
    // each host's nginx, started over SSH as the hosts' user (inside the host's namespace)
    await pool(info.hosts, 10, async h => {
      await run('ssh', [
        ...sshArgs(info, h),
        `${NGINX} -e /dev/stderr -c ${root}/conf/nginx.conf`,
      ]);
    });
    await checkServed('initial');

    const targets = info.hosts.map((h, i) => ({
      name: hostName(i),
      entityRef: `resource:default/${hostName(i)}`,
      address: h.host,
      port: h.port,
      loginUser: info.user,
      environment: 'test',
      owner: 'group:default/ops',
      system: 'bench',
      tags: [],
    }));
    opsdeck = await startOpsdeck(work, info, targets);
    const { service } = opsdeck;
    const set = await service.createSet(
      {
        name: 'bench-nginx',
        kind: 'nginx',
        owner: 'group:default/ops',
        selector: { system: 'bench' },
        targetPath: `${root}/conf/nginx.conf`,
      },
      alice,
    );
    // per-host variable: the port each host's nginx listens on
    const variables = {
      defaults: { root },
      hosts: Object.fromEntries(
        targets.map((t, i) => [t.entityRef, { port: nginxBase + i }]),
      ),
    };
    // warm-up: code paths, host keys (trust on first use)
    await opsdeckRun(service, set.id, variables, 'opsdeck-warmup');
    await checkServed('opsdeck-warmup');
    for (let i = 0; i < runs; i++) {
      await sleep(1500); // the pool's idle connections are gone
      const release = `opsdeck-${i}`;
      result.opsdeck.push(
        await opsdeckRun(service, set.id, variables, release),
      );
      await checkServed(release);
    }
    await opsdeck.stop();
    opsdeck = undefined;

    const dir = writeAnsible(work, info, root);
    for (let i = 0; i < ansibleRuns; i++) {
      const release = `ansible-${i}`;
      result.ansible.push(await ansibleRun(dir, work, release, i));
      await checkServed(release);
    }
  } finally {
    await opsdeck?.stop().catch(() => undefined);
    // stop every nginx this bench started (its pid file is in the host's own directory; the pid
    // must still be an nginx, not a process that took the number since)
    for (let i = 0; i < n; i++) {
      const pidFile = path.join(
        hostsDir,
        String(sshdBase + i),
        'run/nginx.pid',
      );
      try {
        const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nginx')) {
          process.kill(pid, 'SIGTERM');
        }
      } catch {
        // never started or already gone
      }
    }
    // the whole range, also when the start failed half-way
    await (sshd?.stop() ?? stopSshdHosts(n, sshdBase));
    await sleep(500);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  const o = median(result.opsdeck);
  const a = median(result.ansible);
  console.log(
    `Push one nginx config (template with a per-host variable, nginx -t on the host, atomic swap, reload) to ${n} sshd hosts, ${parallelism} hosts at once on both sides, ${
      cpus.length
    } CPUs (${cpus[0]?.model ?? '?'})`,
  );
  console.log('');
  console.log('| hosts | tool | runs | median ms | min ms | each run ms |');
  console.log('|---:|---|---:|---:|---:|---|');
  for (const [name, xs] of [
    [`opsdeck ConfigService.push (batchSize ${parallelism})`, result.opsdeck],
    [
      `ansible-playbook template + handler (forks ${parallelism})`,
      result.ansible,
    ],
  ]) {
    console.log(
      `| ${n} | ${name} | ${xs.length} | ${median(xs).toFixed(0)} | ${Math.min(
        ...xs,
      ).toFixed(0)} | ${xs.map(x => x.toFixed(0)).join(', ')} |`,
    );
  }
  console.log('');
  console.log(
    `opsdeck/ansible (medians): ${(o / a).toFixed(2)}x (${o.toFixed(
      0,
    )} ms vs ${a.toFixed(0)} ms)`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
