import { expect } from '@playwright/test';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

// What several browser specs wait for on the real servers they start, and the
// monitoring servers two of them start.

/** Waits until `url` answers 2xx (up to 30 s). */
export async function waitReady(url: string) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${url}`);
}

/** Waits until the Prometheus on 127.0.0.1:`port` answers `query` with a sample (up to 30 s). */
export async function waitForSeries(port: number, query: string) {
  const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(
    query,
  )}`;
  for (let i = 0; i < 300; i++) {
    const body = await fetch(url)
      .then(r => r.json())
      .catch(() => undefined);
    if (body?.data?.result?.length) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`no series: ${query}`);
}

// The servers the monitoring specs (monitoring-charts.spec.ts,
// monitoring-alerts.spec.ts) start around the e2e backend, whose
// opsdeck.monitoring points at them (app-config.e2e.yaml): a real Prometheus
// on 127.0.0.1:29090 (lifecycle API on, reading the rule file the backend
// writes, opsdeck.monitoring.rules.file in the e2e data dir) scraping a real
// node_exporter labelled as the catalog host pay-app-01 (Debian packages
// prometheus and prometheus-node-exporter) and the Debian exporters of the
// shared test PostgreSQL and Redis (env.sh), labelled as the database
// pay-db-main and the cache session-cache; a real Alertmanager (Debian
// prometheus-alertmanager) that holds the silences; and a receiver of the
// channel e2e-hook (e2e-down delivers to a closed port, 29096).

export const PROMETHEUS_PORT = 29090;
const EXPORTER_PORT = 29100;
export const ALERTMANAGER_PORT = 29093;
const RECEIVER_PORT = 29095;
/** Nothing listens here: web-02, scraped here, is down on the fleet page. */
export const DOWN_PORT = 29097;
const POSTGRES_EXPORTER_PORT = 29187;
const REDIS_EXPORTER_PORT = 29121;
/** The test-only token the e2e backend accepts for alert.receive. */
export const ALERTMANAGER_TOKEN =
  'e2e-only-alertmanager-token-not-a-secret-0001';

function requiredEnv(name: string): string {
  const value = process.env[name];
  expect(value, `${name} names a shared test server (env.sh)`).toBeTruthy();
  return value!;
}

/**
 * The monitoring servers of one spec: `start` in its beforeAll, `stop` in its
 * afterAll (which waits for them to exit, so that the next spec may take the
 * same ports); `received` holds the bodies the e2e-hook receiver got.
 */
export function monitoringServers() {
  const children: ChildProcess[] = [];
  const received: string[] = [];
  let receiver: http.Server | undefined;
  let dir: string | undefined;

  async function start() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-prometheus-'));
    const dataDir = process.env.OPSDECK_E2E_DATA_DIR;
    expect(
      dataDir,
      'OPSDECK_E2E_DATA_DIR names the backend data dir',
    ).toBeTruthy();
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${path.join(dataDir!, 'monitoring.rules.yml')}
scrape_configs:
  - job_name: opsdeck-hosts
    static_configs:
      - targets: ['127.0.0.1:${EXPORTER_PORT}']
        labels:
          opsdeck_entity: resource:default/pay-app-01
          opsdeck_name: pay-app-01
      # nothing listens here: web-02 is down on the fleet page
      - targets: ['127.0.0.1:${DOWN_PORT}']
        labels:
          opsdeck_entity: resource:default/web-02
          opsdeck_name: web-02
  - job_name: opsdeck-stores
    static_configs:
      - targets: ['127.0.0.1:${POSTGRES_EXPORTER_PORT}']
        labels:
          opsdeck_entity: resource:default/pay-db-main
      - targets: ['127.0.0.1:${REDIS_EXPORTER_PORT}']
        labels:
          opsdeck_entity: resource:default/session-cache
`,
    );
    children.push(
      spawn(
        'prometheus-node-exporter',
        [
          `--web.listen-address=127.0.0.1:${EXPORTER_PORT}`,
          '--collector.disable-defaults',
          '--collector.cpu',
          '--collector.meminfo',
          '--collector.loadavg',
          '--collector.filesystem',
          '--collector.netdev',
        ],
        { stdio: 'ignore' },
      ),
      spawn(
        'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
          '--web.enable-lifecycle',
        ],
        { stdio: 'ignore' },
      ),
    );
    const postgres = new URL(requiredEnv('OPSDECK_TEST_POSTGRES_URL'));
    postgres.pathname = '/postgres';
    postgres.search = '?sslmode=disable';
    const redis = new URL(requiredEnv('OPSDECK_TEST_REDIS_URL'));
    children.push(
      spawn(
        'prometheus-postgres-exporter',
        [`--web.listen-address=127.0.0.1:${POSTGRES_EXPORTER_PORT}`],
        {
          stdio: 'ignore',
          env: { ...process.env, DATA_SOURCE_NAME: postgres.toString() },
        },
      ),
      spawn(
        'prometheus-redis-exporter',
        [
          `--web.listen-address=127.0.0.1:${REDIS_EXPORTER_PORT}`,
          `--redis.addr=redis://${redis.hostname}:${redis.port}`,
        ],
        {
          stdio: 'ignore',
          env: {
            ...process.env,
            REDIS_PASSWORD: decodeURIComponent(redis.password),
          },
        },
      ),
    );
    fs.writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      `route:
  receiver: none
receivers:
  - name: none
`,
    );
    children.push(
      spawn(
        'prometheus-alertmanager',
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'alertmanager')}`,
          `--web.listen-address=127.0.0.1:${ALERTMANAGER_PORT}`,
          '--cluster.listen-address=',
        ],
        { stdio: 'ignore' },
      ),
    );
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', d => (body += d));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    receiver = server;
    await new Promise<void>(r => server.listen(RECEIVER_PORT, '127.0.0.1', r));
    await waitReady(`http://127.0.0.1:${EXPORTER_PORT}/metrics`);
    await waitReady(`http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`);
    await waitReady(`http://127.0.0.1:${ALERTMANAGER_PORT}/-/ready`);
    await waitReady(`http://127.0.0.1:${POSTGRES_EXPORTER_PORT}/metrics`);
    await waitReady(`http://127.0.0.1:${REDIS_EXPORTER_PORT}/metrics`);
    // a few scrapes, so that rates have two samples
    await new Promise(r => setTimeout(r, 5000));
  }

  async function stop() {
    await Promise.all(
      children.map(
        child =>
          new Promise(r => {
            if (child.exitCode !== null) r(undefined);
            else {
              child.once('exit', r);
              child.kill('SIGTERM');
            }
          }),
      ),
    );
    if (receiver) {
      receiver.closeAllConnections();
      await new Promise(r => receiver!.close(r));
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }

  return { received, start, stop };
}
