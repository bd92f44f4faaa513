import { expect, Page, test } from '@playwright/test';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn } from './helpers';

// The Monitoring tab of a host (plugins/monitoring, plugins/monitoring-backend).
// The e2e backend's opsdeck.monitoring.prometheus.url points at 127.0.0.1:29090
// (app-config.e2e.yaml): this spec starts a real Prometheus there, scraping a
// real node_exporter labelled as the catalog host pay-app-01 (Debian packages
// prometheus and prometheus-node-exporter).

const PROMETHEUS_PORT = 29090;
const EXPORTER_PORT = 29100;
const children: ChildProcess[] = [];
let dir: string;

async function waitReady(url: string) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${url}`);
}

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-prometheus-'));
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-hosts
    static_configs:
      - targets: ['127.0.0.1:${EXPORTER_PORT}']
        labels:
          opsdeck_entity: resource:default/pay-app-01
          opsdeck_name: pay-app-01
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
      ],
      { stdio: 'ignore' },
    ),
  );
  await waitReady(`http://127.0.0.1:${EXPORTER_PORT}/metrics`);
  await waitReady(`http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`);
  // a few scrapes, so that rates have two samples
  await new Promise(r => setTimeout(r, 5000));
});

test.afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openMonitoringTab(page: Page, tab: string) {
  await page.goto('/catalog/default/resource/pay-app-01');
  // the entity page's tabs are links
  await page.getByText(tab, { exact: true }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/resource\/pay-app-01\/monitoring$/,
  );
}

test('a developer sees the host charts and changes the time range', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openMonitoringTab(page, 'Monitoring');
  await expect(page.getByText('CPU used')).toBeVisible({ timeout: 30_000 });
  for (const title of [
    'Memory used',
    'Disk used',
    'Network',
    'Load average',
    'Scraped (up)',
  ]) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('chart-cpu')).toBeVisible();
  await expect(page.getByTestId('chart-up')).toBeVisible();
  await expect(page.getByText('up: 1')).toBeVisible();
  await page.getByText('Last hour').click();
  await page.getByRole('option', { name: 'Last 6 hours' }).click();
  await expect(page.getByRole('button', { name: 'Time range' })).toHaveText(
    'Last 6 hours',
  );
  await expect(page.getByTestId('chart-memory')).toBeVisible();
});

test('the Monitoring tab in Chinese', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openMonitoringTab(page, '监控');
  await expect(page.getByText('CPU 使用率')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('内存使用率')).toBeVisible();
  await expect(page.getByText('最近 1 小时')).toBeVisible();
  await expect(page.getByTestId('chart-cpu')).toBeVisible();
});
