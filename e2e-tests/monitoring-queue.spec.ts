import { expect, Page, test } from '@playwright/test';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AmqpConnection } from '../plugins/monitoring-backend/src/__testUtils__/amqp';
import { signIn } from './helpers';

// The Monitoring tab of the demo queue orders-mq (plugins/monitoring, RabbitMQ's
// rabbitmq_prometheus). The RabbitMQ node is the test command's
// (OPSDECK_TEST_RABBITMQ_URL from scripts/services/rabbitmq.sh); without one this
// spec starts its own private node on ports of its own and stops it after. A
// real Prometheus on 127.0.0.1:29090 (the e2e backend's
// opsdeck.monitoring.prometheus.url, app-config.e2e.yaml) scrapes it, labelled as
// orders-mq; messages are published and left unacknowledged over AMQP. The
// other monitoring specs start their own Prometheus on the same port (one
// worker, one file after another): each waits for its own to exit in its
// afterAll, so this one is gone before the next starts.

const PROMETHEUS_PORT = 29090;
const OWN_RABBITMQ = { port: '29672', prometheus: '29692' };
const ROOT = path.resolve(__dirname, '..');
let prometheus: ChildProcess | undefined;
let ownNode: Record<string, string> | undefined;
let amqp: AmqpConnection | undefined;
let dir: string;

function rabbitmq(action: 'start' | 'stop'): string {
  return execFileSync(
    'bash',
    [path.join(ROOT, 'scripts/services/rabbitmq.sh'), action],
    { env: { ...process.env, ...ownNode }, encoding: 'utf8' },
  ).trim();
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  let url = process.env.OPSDECK_TEST_RABBITMQ_URL;
  if (!url) {
    ownNode = {
      OPSDECK_RABBITMQ_PORT: OWN_RABBITMQ.port,
      OPSDECK_RABBITMQ_PROMETHEUS_PORT: OWN_RABBITMQ.prometheus,
      OPSDECK_SERVICES_DIR: path.join(os.tmpdir(), 'opsdeck-e2e-rabbitmq'),
    };
    url = rabbitmq('start');
  }
  const u = new URL(url);
  const metrics = `${u.hostname}:${u.searchParams.get('prometheus')}`;
  u.search = '';
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-queue-'));
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-queues
    metrics_path: /metrics/per-object
    static_configs:
      - targets: ['${metrics}']
        labels:
          opsdeck_entity: resource:default/orders-mq
`,
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
    ],
    { stdio: 'ignore' },
  );
  amqp = await AmqpConnection.connect(u.toString());
  const queue = `e2e-orders-${Date.now().toString(36)}`;
  await amqp.declareQueue(queue, { exclusive: true });
  for (let i = 0; i < 4; i++) amqp.publish(queue, `order ${i}`);
  await amqp.consume(queue, 1);
  // Prometheus has the queue's ready count (3: one is unacknowledged)
  const query = `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent(
    `rabbitmq_queue_messages_ready{opsdeck_entity="resource:default/orders-mq",queue="${queue}"} == 3`,
  )}`;
  for (let i = 0; i < 600; i++) {
    const body = await fetch(query)
      .then(r => r.json())
      .catch(() => undefined);
    if (body?.data?.result?.length) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`no ready count of ${queue} in Prometheus`);
});

test.afterAll(async () => {
  await amqp?.close();
  if (prometheus && prometheus.exitCode === null) {
    const gone = new Promise(r => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await gone;
  }
  if (ownNode) rabbitmq('stop');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function openQueueTab(page: Page, tab: string) {
  await page.goto('/catalog/default/resource/orders-mq');
  await page.getByText(tab, { exact: true }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/resource\/orders-mq\/monitoring$/,
  );
}

test('a developer sees the queue charts of orders-mq (RabbitMQ)', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openQueueTab(page, 'Monitoring');
  await expect(page.getByText('Messages', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  for (const title of [
    'Ready messages per queue',
    'Consumers',
    'Messages per second',
    'Connections',
    'Scraped (up)',
  ]) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  // a cache's panels are not a queue's
  await expect(page.getByText('Hit rate', { exact: true })).toHaveCount(0);
  await expect(page.getByTestId('chart-messages')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId('chart-queueDepth')).toBeVisible();
  await expect(page.getByTestId('chart-up')).toBeVisible();
});

test('the queue Monitoring tab in Chinese', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openQueueTab(page, '监控');
  await expect(page.getByText('消息数', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  for (const title of ['各队列待消费消息', '消费者', '每秒消息数', '连接数']) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('chart-messages')).toBeVisible({
    timeout: 30_000,
  });
});
