/**
 * The crash-point harness: starts a real opsdeck backend process
 * (scripts/lib/run-backend.sh, entry src/partial.ts with the named plugin
 * groups) on a fresh SQLite directory or a fresh PostgreSQL database, with
 * `OPSDECK_CRASH_POINT` set, waits for it to kill itself at that point, and
 * starts it again on the same data. See docs/architecture.md ("Crash-point
 * tests") for how to add a point and its test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** The repository root (the harness runs from source, under jest). */
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export type CrashDatabase = 'sqlite' | 'postgres';

const PG_URL = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

/**
 * The databases the suite runs on: SQLite always, PostgreSQL when the test
 * server is configured (required when OPSDECK_REQUIRE_POSTGRES_TESTS=1, as in
 * CI, so PostgreSQL is never silently left out).
 */
export function crashDatabases(): CrashDatabase[] {
  if (PG_URL) return ['sqlite', 'postgres'];
  if (process.env.OPSDECK_REQUIRE_POSTGRES_TESTS === '1') {
    throw new Error(
      'OPSDECK_REQUIRE_POSTGRES_TESTS=1 but BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set',
    );
  }
  return ['sqlite'];
}

/** A catalog entity written to the backend's own catalog file. */
export type EntityDoc = Record<string, unknown>;

export interface CrashBackendOptions {
  database: CrashDatabase;
  /** Feature groups of src/partial.ts beyond the core (jobs, tickets, bastion...). */
  plugins: string[];
  /** Extra configuration, merged over app-config.yaml and the harness's own. */
  config?: Record<string, unknown>;
  /** Extra catalog entities (hosts at test sshd ports, ...). */
  entities?: EntityDoc[];
  /** Catalog files of the repository to load besides examples/org.yaml. */
  catalogFiles?: { target: string; allow?: string[] }[];
  /** Extra environment of the backend process. */
  env?: Record<string, string>;
}

const DEMO_PASSWORD = 'opsdeck-demo';

/**
 * The config schema every backend of this test process shares (see
 * src/schemaCacheRootLogger.ts): collected by the first start, read by the
 * others.
 */
const SCHEMA_CACHE = path.join(
  tmpdir(),
  `opsdeck-crash-schema-${process.pid}.json`,
);
process.once('exit', () => rmSync(SCHEMA_CACHE, { force: true }));
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function pgClient(database = 'postgres'): Client {
  const url = new URL(PG_URL!);
  return new Client({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  });
}

/** `name` or `name#n` as the crash line prints it (`name#n`). */
function crashLine(point: string): string {
  return `opsdeck crash point reached: ${
    point.includes('#') ? point : `${point}#1`
  }`;
}

/**
 * One opsdeck backend under test: its data (a temporary directory, and a
 * PostgreSQL database prefix on PostgreSQL) outlives its processes, so a test
 * crashes it and starts it again on the same data.
 */
export class CrashBackend {
  readonly dir: string;
  readonly port: number;
  readonly baseUrl: string;
  private readonly logFile: string;
  private readonly configFiles: string[];
  private readonly pgPrefix?: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private logOffset = 0;
  private readonly tokens = new Map<string, { token: string; at: number }>();
  /** Seconds each start took until the backend was ready. */
  readonly startSeconds: number[] = [];

  private constructor(
    private readonly options: CrashBackendOptions,
    port: number,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-crash.'));
    this.port = port;
    this.baseUrl = `http://localhost:${port}`;
    this.logFile = path.join(this.dir, 'backend.log');
    if (options.database === 'postgres') {
      this.pgPrefix = `opsdeck_crash_${path
        .basename(this.dir)
        .replace(/[^a-zA-Z0-9]/g, '')
        .toLowerCase()}_`;
    }
    this.configFiles = this.writeConfig();
  }

  /** Prepares a backend (nothing runs until {@link CrashBackend.start}). */
  static async create(options: CrashBackendOptions): Promise<CrashBackend> {
    return new CrashBackend(options, await freePort());
  }

  private writeConfig(): string[] {
    const { options } = this;
    const entitiesFile = path.join(this.dir, 'entities.yaml');
    // YAML is a superset of JSON: one JSON document per entity
    writeFileSync(
      entitiesFile,
      (options.entities ?? []).map(e => JSON.stringify(e)).join('\n---\n') ||
        '{}',
    );
    const url = PG_URL ? new URL(PG_URL) : undefined;
    const database =
      options.database === 'sqlite'
        ? {
            client: 'better-sqlite3',
            connection: { directory: path.join(this.dir, 'sqlite') },
          }
        : {
            client: 'pg',
            // a fresh database per plugin under this backend's own prefix
            prefix: this.pgPrefix,
            connection: {
              host: url!.hostname,
              port: Number(url!.port || 5432),
              user: decodeURIComponent(url!.username),
              password: decodeURIComponent(url!.password),
            },
          };
    const harness = {
      app: { baseUrl: this.baseUrl },
      backend: {
        baseUrl: this.baseUrl,
        listen: { port: this.port },
        database,
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(REPO_ROOT, 'examples/org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          ...(options.catalogFiles ?? []).map(f => ({
            type: 'file',
            target: path.join(REPO_ROOT, f.target),
            ...(f.allow ? { rules: [{ allow: f.allow }] } : {}),
          })),
          { type: 'file', target: entitiesFile },
        ],
      },
      // a task that was running when the backend died is taken up again soon
      scaffolder: {
        taskRecovery: { enabled: true, staleTimeout: { seconds: 3 } },
      },
      opsdeck: {
        // the catalog's hosts reach the CMDB's host index (which features
        // resolve hosts from) within seconds, not minutes
        cmdb: {
          catalogSync: { initialDelaySeconds: 1, frequencyMinutes: 0.05 },
          facts: { initialDelaySeconds: 3600 },
        },
        // the seed accounts' hashes and each sign-in at scrypt's lowest
        // cost (the product's cost is not what these tests are about)
        localAuth: { scryptCost: 10 },
        bastion: { recordingsDir: path.join(this.dir, 'recordings') },
        files: { storage: { directory: path.join(this.dir, 'files') } },
      },
    };
    const files = [path.join(this.dir, 'harness.yaml')];
    writeFileSync(files[0], JSON.stringify(harness, null, 2));
    if (options.config) {
      files.push(path.join(this.dir, 'test.yaml'));
      writeFileSync(files[1], JSON.stringify(options.config, null, 2));
    }
    return files;
  }

  /** Whether the backend process is running. */
  get running(): boolean {
    return Boolean(
      this.child &&
        this.child.exitCode === null &&
        this.child.signalCode === null,
    );
  }

  /**
   * Starts the backend (armed with `crashPoint` when given) and waits until
   * it is ready.
   */
  async start(options: { crashPoint?: string } = {}): Promise<void> {
    if (this.running) throw new Error('The backend is already running');
    const started = Date.now();
    this.logOffset = this.logSize();
    const log = openSync(this.logFile, 'a');
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'development',
      OPSDECK_BACKEND_PLUGINS: this.options.plugins.join(','),
      OPSDECK_CONFIG_SCHEMA_CACHE: SCHEMA_CACHE,
      OPSDECK_CRASH_POINT: options.crashPoint,
      // without --enable-source-maps: Node decodes and keeps every transformed
      // module's inline source map, a cost of each start (bench/README.md, "startup")
      OPSDECK_SOURCE_MAPS: '0',
      ...this.options.env,
    };
    if (!options.crashPoint) delete env.OPSDECK_CRASH_POINT;
    const child = spawn(
      'bash',
      [
        path.join(REPO_ROOT, 'scripts/lib/run-backend.sh'),
        'src/partial',
        '--config',
        '../../app-config.yaml',
        ...this.configFiles.flatMap(f => ['--config', f]),
      ],
      {
        cwd: REPO_ROOT,
        // its own process group, so a stop reaches everything it started
        detached: true,
        stdio: ['ignore', log, log],
        env,
      },
    );
    closeSync(log);
    // never leave a backend behind when the test process ends
    const killOnExit = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    this.child = child;
    this.exited = new Promise(resolve => child.once('exit', () => resolve()));
    this.tokens.clear();
    this.hostsIndexed = undefined;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (!this.running) {
        throw new Error(
          `The backend exited while starting (${
            child.signalCode ?? child.exitCode
          }):\n${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(
          `${this.baseUrl}/.backstage/health/v1/readiness`,
        );
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`The backend was not ready:\n${this.logTail()}`);
      }
      await sleep(200);
    }
    this.startSeconds.push((Date.now() - started) / 1000);
  }

  /**
   * Waits until the backend has killed itself at `point` (`name` or
   * `name#n`): it must exit by SIGKILL after printing the crash line.
   */
  async waitForCrash(point: string, timeoutMs = 120_000): Promise<void> {
    const child = this.child;
    if (!child) throw new Error('The backend was never started');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new Error(
        `The backend did not reach crash point ${point} within ${
          timeoutMs / 1000
        } s:\n${this.logTail()}`,
      );
    }
    const log = this.logSinceStart();
    if (child.signalCode !== 'SIGKILL' || !log.includes(crashLine(point))) {
      throw new Error(
        `The backend exited (${
          child.signalCode ?? child.exitCode
        }) without reaching crash point ${point}:\n${this.logTail()}`,
      );
    }
  }

  /** Kills the backend (SIGKILL to its process group) if it runs. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
  }

  /**
   * Stops the backend and removes its data (kept, with the log, when
   * OPSDECK_CRASH_KEEP=1, for a look).
   */
  async dispose(): Promise<void> {
    const keep = process.env.OPSDECK_CRASH_KEEP === '1';
    await this.kill();
    if (process.env.OPSDECK_CRASH_TIMES === '1') {
      process.stderr.write(
        `crash backend (${this.options.database}, ${this.options.plugins}): ${
          this.startSeconds.length
        } starts, ready after ${this.startSeconds.join(' s, ')} s\n`,
      );
    }
    if (this.pgPrefix && !keep) {
      const admin = pgClient();
      await admin.connect();
      try {
        const { rows } = await admin.query(
          'SELECT datname FROM pg_database WHERE datname LIKE $1',
          [`${this.pgPrefix}%`],
        );
        for (const { datname } of rows) {
          await admin.query(
            `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`,
          );
        }
      } finally {
        await admin.end();
      }
    }
    if (keep) process.stderr.write(`crash test data kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  /** A query on one plugin's PostgreSQL database (PostgreSQL backends only). */
  async pgQuery<T = any>(
    pluginId: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    if (!this.pgPrefix) throw new Error('Not a PostgreSQL backend');
    const client = pgClient(`${this.pgPrefix}${pluginId}`);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  private logSize(): number {
    try {
      return statSync(this.logFile).size;
    } catch {
      return 0;
    }
  }

  private logSinceStart(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logOffset).toString();
    } catch {
      return '';
    }
  }

  /** The last lines the current (or last) process logged. */
  logTail(lines = 60): string {
    return this.logSinceStart().split('\n').slice(-lines).join('\n');
  }

  /**
   * A Backstage token of a demo user, signed in as the browser does (local
   * account login, then the `opsdeck` provider's refresh). Waits until the
   * catalog has ingested the user.
   */
  async tokenFor(user: string): Promise<string> {
    const cached = this.tokens.get(user);
    if (cached && Date.now() - cached.at < 10 * 60_000) return cached.token;
    const deadline = Date.now() + 90_000;
    let last = '';
    while (Date.now() < deadline) {
      const login = await fetch(`${this.baseUrl}/api/local-auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
      });
      if (login.ok) {
        const cookie = login.headers
          .getSetCookie()
          .map(c => c.split(';')[0])
          .join('; ');
        const refresh = await fetch(
          `${this.baseUrl}/api/auth/opsdeck/refresh`,
          {
            headers: { 'X-Requested-With': 'XMLHttpRequest', cookie },
          },
        );
        if (refresh.ok) {
          const body = await refresh.json();
          const token = body.backstageIdentity.token as string;
          this.tokens.set(user, { token, at: Date.now() });
          return token;
        }
        last = `refresh: HTTP ${refresh.status} ${await refresh.text()}`;
      } else {
        last = `login: HTTP ${login.status} ${await login.text()}`;
      }
      // the catalog has not ingested the user yet
      await sleep(500);
    }
    throw new Error(`Cannot sign in as ${user}: ${last}`);
  }

  private hostsIndexed: Promise<void> | undefined;

  /**
   * Waits until the CMDB's host index holds every host entity of the test
   * (mirrored from the catalog by the CMDB's catalog sync).
   */
  private waitForHostIndex(): Promise<void> {
    const names = (this.options.entities ?? [])
      .filter(
        e =>
          e.kind === 'Resource' &&
          (e.spec as { type?: string } | undefined)?.type === 'host',
      )
      .map(e => (e.metadata as { name: string }).name);
    if (names.length === 0) return Promise.resolve();
    this.hostsIndexed ??= (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const res = await fetch(`${this.baseUrl}/api/cmdb/hosts/resolve`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${await this.tokenFor('alice')}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ selector: { names } }),
        });
        if (res.ok && (await res.json()).total === names.length) return;
        if (Date.now() > deadline) {
          throw new Error(`The CMDB never indexed the hosts ${names}`);
        }
        await sleep(500);
      }
    })();
    return this.hostsIndexed;
  }

  /** Calls `/api/<path>` as `user`; JSON bodies in and out. */
  async api(
    user: string,
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    await this.waitForHostIndex();
    const res = await fetch(`${this.baseUrl}/api/${apiPath}`, {
      method,
      headers: {
        Authorization: `Bearer ${await this.tokenFor(user)}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }
}

/** Thrown by a {@link waitFor} probe to stop waiting at once. */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns something other than undefined (at most
 * `timeoutMs`); the last error is in the failure message. A probe throwing
 * {@link GiveUp} ends the wait with that error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`Timed out waiting for ${what}: ${String(last ?? '')}`);
}
