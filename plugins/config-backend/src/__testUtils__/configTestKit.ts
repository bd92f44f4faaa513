import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore } from '../database/ConfigStore';
import { applyConfigMigrations } from '../database/migrations';
import { Releaser } from '../release/Releaser';
import { ConfigService, type Caller } from '../service/ConfigService';
import type { HostFactsSource } from '../service/hostFacts';

/** What the release tests run against: SQLite, real sshd hosts, a work directory they may write. */
export type ConfigTestEnv = {
  databases: TestDatabases;
  sshd: SshdHosts;
  pool: SshConnectionPool;
  work: string;
  /** Free loopback ports for the servers the test starts (one per host). */
  ports: number[];
  /** Pids of the servers the test started (see {@link recordServer}). */
  servers: number[];
};

/** The sshd test hosts' login user (scripts/services/sshd-hosts.sh). */
export const TEST_USER = 'opsdeck';

/** Starts `hosts` sshd test hosts and a work directory before the file's tests; removes both after. */
export function configTestEnv(hosts: number, prefix: string): ConfigTestEnv {
  const env = {
    databases: TestDatabases.create({ ids: ['SQLITE_3'] }),
    servers: [] as number[],
  } as ConfigTestEnv;
  beforeAll(async () => {
    env.sshd = await startSshdHosts(hosts);
    env.pool = new SshConnectionPool();
    env.work = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(env.work, 0o777);
    const base = await findFreePortRange(hosts);
    env.ports = Array.from({ length: hosts }, (_, i) => base + i);
  });
  // Also after a failed beforeAll or test: the servers first (they outlive
  // the sshd hosts that started them), then the hosts and the directory.
  afterAll(async () => {
    try {
      if (env.work) await stopServers(env);
    } finally {
      await env.pool?.close();
      await env.sshd?.stop();
      if (env.work) rmSync(env.work, { recursive: true, force: true });
    }
  });
  return env;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** `/proc/<pid>/<what>` (a link or a file), or undefined once the process is gone. */
function proc(pid: number, what: 'cwd' | 'cmdline' | 'stat') {
  try {
    return what === 'cwd'
      ? readlinkSync(`/proc/${pid}/cwd`)
      : readFileSync(`/proc/${pid}/${what}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after `pid (comm)` (comm may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  const stat = proc(pid, 'stat');
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The process's start time (clock ticks after boot): tells a reused pid apart. */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * Running, and (given `started`) still the process seen then; a zombie has
 * ended (its parent, not the test, reaps it).
 */
function alive(pid: number, started?: string): boolean {
  const fields = statFields(pid);
  if (!fields || fields[0] === 'Z') return false;
  return started === undefined || fields[19] === started;
}

/**
 * Whether `pid` is a server of this test file: its command line names a file
 * under the file's own work directory (nginx -c <work>/...), or it runs in
 * that directory (redis-server's `dir`).
 */
function startedIn(work: string, pid: number): boolean {
  const cwd = proc(pid, 'cwd');
  const cmdline = proc(pid, 'cmdline')?.replace(/\0/g, ' ');
  return (
    cwd === work ||
    Boolean(cwd?.startsWith(`${work}/`)) ||
    Boolean(cmdline?.includes(`${work}/`))
  );
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter(d => /^\d+$/.test(d))
    .map(Number)
    .filter(pid => pid !== process.pid);
}

/** `pids` and all their descendants (nginx's workers). */
function withDescendants(pids: number[]): number[] {
  const parentOf = new Map<number, number>();
  for (const pid of allPids()) {
    const ppid = Number(statFields(pid)?.[1]);
    if (ppid) parentOf.set(pid, ppid);
  }
  const all = new Set(pids);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (all.has(ppid) && !all.has(pid)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}

/**
 * Records the server whose pid file is `pidFile` (written once it runs) as one
 * this test file started, so that afterAll stops it; returns its pid.
 */
export async function recordServer(
  env: ConfigTestEnv,
  pidFile: string,
): Promise<number> {
  for (let i = 0; ; i++) {
    const pid = Number(
      (() => {
        try {
          return readFileSync(pidFile, 'utf8').trim();
        } catch {
          return '';
        }
      })(),
    );
    if (pid > 0 && alive(pid)) {
      if (!startedIn(env.work, pid)) {
        throw new Error(
          `${pidFile} names pid ${pid}, which is not a server under ${env.work}`,
        );
      }
      env.servers.push(pid);
      return pid;
    }
    if (i >= 100) throw new Error(`No running server wrote ${pidFile}`);
    await sleep(100);
  }
}

/**
 * Stops every server this test file started: those recorded, and any other
 * process of its work directory (one that failed before it was recorded),
 * with their children. SIGTERM (nginx: fast shutdown; redis: shutdown), then
 * SIGKILL what still runs after 10 s. Never anything outside the directory.
 */
export async function stopServers(env: ConfigTestEnv): Promise<void> {
  const ours = new Set(
    env.servers.filter(pid => alive(pid) && startedIn(env.work, pid)),
  );
  for (const pid of allPids()) {
    if (startedIn(env.work, pid)) ours.add(pid);
  }
  // each with its start time: a pid reused meanwhile is never signalled
  const pids = new Map(
    withDescendants([...ours]).map(pid => [pid, startTime(pid)] as const),
  );
  const running = () => [...pids].filter(([pid, at]) => alive(pid, at));
  const signal = (sig: NodeJS.Signals) => {
    for (const [pid] of running()) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 100 && running().length > 0; i++) await sleep(100);
  if (running().length > 0) {
    signal('SIGKILL');
    for (let i = 0; i < 50 && running().length > 0; i++) await sleep(100);
  }
  env.servers = [];
  const left = running().map(([pid]) => pid);
  if (left.length > 0) {
    throw new Error(`Servers of ${env.work} still run: ${left.join(', ')}`);
  }
}

/** Gives the sshd test user a directory tree the test wrote as root. */
export function giveToTestUser(path: string) {
  execFileSync('chown', ['-R', `${TEST_USER}:`, path]);
}

export function testHosts(env: ConfigTestEnv, environment = 'staging') {
  return env.sshd.hosts.map(
    (h, i): HostTarget => ({
      name: `cfg-${i}`,
      entityRef: `resource:default/cfg-${i}`,
      address: '127.0.0.1',
      port: h.port,
      environment,
      owner: 'group:default/ops',
      tags: ['web'],
    }),
  );
}

export const bob: Caller = {
  ref: 'user:default/bob',
  credentials: mockCredentials.user('user:default/bob'),
};

/** A ConfigService over a fresh SQLite database and the sshd hosts. */
export async function configService(
  env: ConfigTestEnv,
  hosts: HostTarget[],
  options: { facts?: HostFactsSource } = {},
): Promise<{ service: ConfigService; store: ConfigStore; releaser: Releaser }> {
  const knex = await env.databases.init('SQLITE_3');
  await applyConfigMigrations(knex);
  const store = new ConfigStore(knex);
  const sshTargets = () => async (h: HostTarget) => ({
    host: h.address,
    port: h.port,
    credentials: { username: TEST_USER, privateKey: env.sshd.privateKeyText },
  });
  const releaser = new Releaser({
    store,
    ssh: env.pool,
    sshTargets,
    logger: mockServices.logger.mock(),
    healthAttempts: 6,
    healthIntervalMs: 300,
  });
  const service = new ConfigService({
    store,
    releaser,
    ssh: env.pool,
    sshTargets,
    hosts: { resolveHosts: async () => hosts },
    facts: options.facts,
  });
  return { service, store, releaser };
}
