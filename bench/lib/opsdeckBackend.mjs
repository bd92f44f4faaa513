// Starts opsdeck's full backend (packages/backend, SQLite in a work folder) from source with a
// generated catalog of sshd hosts (scripts/services/sshd-hosts.sh JSON `info`), for the benchmarks
// that go through the HTTP API; signs in demo users and calls the API.
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './stats.mjs';
import { spawnRunBackend } from './runBackend.mjs';

const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../..',
);

/** The catalog hosts bench-000... (system `system`, credential bench-ssh) and the backend config. */
function writeConfig({ work, info, port, system, extraConfig, extraEntities }) {
  const base = `http://localhost:${port}`;
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
  system: ${system}
`,
    )
    .join('');
  const hostsFile = path.join(work, 'hosts.yaml');
  fs.writeFileSync(hostsFile, entities + (extraEntities ?? ''));
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
${extraConfig}`,
  );
  return { base, config };
}

/**
 * Spawns the backend in its own process group and waits until it is ready.
 * `extraConfig` is YAML appended to the config's `opsdeck:` key (indented two spaces);
 * `extraEntities` is catalog YAML (`---` documents) added after the hosts;
 * `extraConfigFiles` are more `--config` files, read last (e.g. `backend.auth`).
 */
export async function startOpsdeckBackend({
  work,
  info,
  port,
  system = 'bench',
  extraConfig = '',
  extraEntities = '',
  extraConfigFiles = [],
}) {
  const { base, config } = writeConfig({
    work,
    info,
    port,
    system,
    extraConfig,
    extraEntities,
  });
  const logFile = path.join(work, 'backend.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawnRunBackend({
    root,
    configs: [config, ...extraConfigFiles],
    stdio: ['ignore', log, log],
  });
  const backend = {
    base,
    /** The process group id (the `bash` that started the backend). */
    pgid: child.pid,
    logFile,
    api: (token, method, route, body) => api(base, token, method, route, body),
    login: user => login(base, user),
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      await sleep(2000);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // stopped
      }
    },
  };
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error(`backend did not start; see ${logFile}`);
      try {
        const r = await fetch(`${base}/.backstage/health/v1/readiness`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(1000);
    }
  } catch (e) {
    await backend.stop();
    throw e;
  }
  return backend;
}

async function api(base, token, method, route, body) {
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

/** A demo user's Backstage token (local sign-in, then the auth refresh). */
async function login(base, user) {
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

/**
 * Signs alice in once the catalog has the users, stores the hosts' SSH key as the vault credential
 * bench-ssh and waits until the jobs plugin resolves all `n` hosts of the system; returns her token.
 */
export async function prepareJobsBench(backend, info, { system, n }) {
  let alice;
  for (let i = 0; !alice; i++) {
    try {
      alice = await backend.login('alice');
    } catch (e) {
      if (i > 120) throw e;
      await sleep(1000);
    }
  }
  await backend.api(alice, 'POST', '/vault/credentials', {
    name: 'bench-ssh',
    type: 'ssh-key',
    username: info.user,
    secret: fs.readFileSync(info.privateKey, 'utf8'),
  });
  for (let i = 0; ; i++) {
    const { items } = await backend.api(alice, 'POST', '/jobs/hosts/preview', {
      selector: { system },
    });
    if (items.length === n) break;
    if (i > 300) throw new Error(`catalog has ${items.length} of ${n} hosts`);
    await sleep(1000);
  }
  return alice;
}
