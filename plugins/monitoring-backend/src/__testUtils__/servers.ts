import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real Prometheus, Alertmanager and node_exporter (Debian packages
 * prometheus, prometheus-alertmanager, prometheus-node-exporter) started on
 * loopback with their own temp dirs and free ports, for integration tests.
 */

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  /** What the process printed (for failing assertions). */
  output(): string;
}

function tempDir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `opsdeck-${prefix}-`));
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls `check` until it returns a value (not undefined) or times out. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

function start(
  name: string,
  binary: string,
  args: (port: number, dir: string) => string[],
  ready: (url: string) => Promise<boolean>,
  files: Record<string, string> = {},
  fixedPort?: number,
  env?: Record<string, string>,
): Promise<RunningServer> {
  return (async () => {
    const port = fixedPort ?? (await freePort());
    const dir = tempDir(name);
    for (const [file, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, file), content);
    }
    const url = `http://127.0.0.1:${port}`;
    let out = '';
    const child: ChildProcess = spawn(binary, args(port, dir), {
      cwd: dir,
      ...(env ? { env: { ...process.env, ...env } } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', d => (out = (out + d).slice(-20_000)));
    child.stderr!.on('data', d => (out = (out + d).slice(-20_000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    const server: RunningServer = {
      port,
      url,
      dir,
      output: () => out,
      async stop() {
        if (!exited) {
          const gone = new Promise(r => child.once('exit', r));
          child.kill('SIGTERM');
          await gone;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      await waitFor(async () => {
        if (exited) throw new Error(`${name} exited: ${out}`);
        return ready(url);
      }, `${name} on ${url}`);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  })();
}

const ok = async (url: string) => (await fetch(url)).ok;

/** node_exporter with only a few collectors (fast, no host-specific noise). */
export function startNodeExporter(port?: number): Promise<RunningServer> {
  return start(
    'node-exporter',
    'prometheus-node-exporter',
    p => [
      `--web.listen-address=127.0.0.1:${p}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.loadavg',
      '--collector.filesystem',
      '--collector.netdev',
    ],
    url => ok(`${url}/metrics`),
    {},
    port,
  );
}

/** The URL of a real test server started by scripts/test.sh; a missing one fails the test. */
function serverUrl(variable: string, script: string): URL {
  const url =
    process.env[variable] ??
    (variable === 'OPSDECK_TEST_POSTGRES_URL'
      ? process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
      : undefined);
  if (!url) {
    throw new Error(
      `${variable} is not set: start scripts/services/${script}.sh and export its URL (scripts/test.sh does)`,
    );
  }
  return new URL(url);
}

/**
 * The Debian exporters of databases and caches (prometheus-postgres-exporter,
 * prometheus-mysqld-exporter, prometheus-redis-exporter) on the test
 * PostgreSQL, MariaDB and Redis; credentials in their environment, not argv.
 */
export function startStoreExporter(
  engine: 'postgresql' | 'mysql' | 'redis',
): Promise<RunningServer> {
  if (engine === 'postgresql') {
    const u = serverUrl('OPSDECK_TEST_POSTGRES_URL', 'postgres');
    u.pathname = '/postgres';
    u.search = '?sslmode=disable';
    return startPostgresExporter(u.toString());
  }
  if (engine === 'mysql') {
    const u = serverUrl('OPSDECK_TEST_MARIADB_URL', 'mariadb');
    return startMysqldExporter(
      `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}@(${
        u.hostname
      }:${u.port})/`,
    );
  }
  const u = serverUrl('OPSDECK_TEST_REDIS_URL', 'redis');
  return start(
    'redis-exporter',
    'prometheus-redis-exporter',
    p => [
      `--web.listen-address=127.0.0.1:${p}`,
      `--redis.addr=redis://${u.hostname}:${u.port}`,
    ],
    url => ok(`${url}/metrics`),
    {},
    undefined,
    { REDIS_PASSWORD: decodeURIComponent(u.password) },
  );
}

/**
 * The test RabbitMQ of scripts/services/rabbitmq.sh (OPSDECK_TEST_RABBITMQ_URL,
 * `amqp://user:pw@host:port?prometheus=port`): its AMQP URL and the address
 * of its rabbitmq_prometheus listener. Unset fails the test.
 */
export function testRabbitmq(): { amqpUrl: string; metrics: string } {
  const u = serverUrl('OPSDECK_TEST_RABBITMQ_URL', 'rabbitmq');
  const prometheusPort = u.searchParams.get('prometheus');
  if (!prometheusPort) {
    throw new Error(
      'OPSDECK_TEST_RABBITMQ_URL has no ?prometheus=port (scripts/services/rabbitmq.sh prints it)',
    );
  }
  const metrics = `${u.hostname}:${prometheusPort}`;
  u.search = '';
  return { amqpUrl: u.toString(), metrics };
}

/** The exporter queries opsdeck ships (README: replication lag). */
export const POSTGRES_EXPORTER_QUERIES = path.resolve(
  __dirname,
  '../../exporters/postgres-queries.yaml',
);

/**
 * prometheus-postgres-exporter on one PostgreSQL (`dsn` a libpq URL, in the
 * environment), with opsdeck's queries file (`pg_replication_lag`).
 */
export function startPostgresExporter(dsn: string): Promise<RunningServer> {
  return start(
    'postgres-exporter',
    'prometheus-postgres-exporter',
    p => [
      `--web.listen-address=127.0.0.1:${p}`,
      `--extend.query-path=${POSTGRES_EXPORTER_QUERIES}`,
    ],
    url => ok(`${url}/metrics`),
    {},
    undefined,
    { DATA_SOURCE_NAME: dsn },
  );
}

/** prometheus-mysqld-exporter on one MySQL/MariaDB (`dsn` in the Go driver's form, in the environment). */
export function startMysqldExporter(dsn: string): Promise<RunningServer> {
  return start(
    'mysqld-exporter',
    'prometheus-mysqld-exporter',
    p => [`--web.listen-address=127.0.0.1:${p}`],
    url => ok(`${url}/metrics`),
    {},
    undefined,
    { DATA_SOURCE_NAME: dsn },
  );
}

/** Prometheus with the given config (and rule files); lifecycle API on for reloads. */
export function startPrometheus(
  config: string,
  files: Record<string, string> = {},
): Promise<RunningServer> {
  return start(
    'prometheus',
    'prometheus',
    (p, dir) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${p}`,
      '--web.enable-lifecycle',
    ],
    url => ok(`${url}/-/ready`),
    { 'prometheus.yml': config, ...files },
  );
}

/** Alertmanager with the given config, not clustered. */
export function startAlertmanager(config: string): Promise<RunningServer> {
  return start(
    'alertmanager',
    'prometheus-alertmanager',
    (p, dir) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${p}`,
      '--cluster.listen-address=',
    ],
    url => ok(`${url}/-/ready`),
    { 'alertmanager.yml': config },
  );
}

/** Prometheus' view of its targets (active ones). */
export async function activeTargets(
  prometheusUrl: string,
): Promise<
  Array<{ labels: Record<string, string>; health: string; scrapeUrl: string }>
> {
  const res = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
  const body = (await res.json()) as any;
  return body.data.activeTargets;
}

/** The blackbox exporter (Debian prometheus-blackbox-exporter) with `blackbox.yml` in its dir. */
export function startBlackboxExporter(
  config = '{"modules": {}}\n',
): Promise<RunningServer> {
  return start(
    'blackbox',
    'prometheus-blackbox-exporter',
    (p, dir) => [
      `--config.file=${path.join(dir, 'blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${p}`,
    ],
    url => ok(`${url}/-/healthy`),
    { 'blackbox.yml': config },
  );
}

/** One instant PromQL query's vector: labels and value of each series. */
export async function instantQuery(
  prometheusUrl: string,
  query: string,
): Promise<Array<{ metric: Record<string, string>; value: string }>> {
  const res = await fetch(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await res.json()) as any;
  return body.data.result.map((r: any) => ({
    metric: r.metric,
    value: r.value[1],
  }));
}
