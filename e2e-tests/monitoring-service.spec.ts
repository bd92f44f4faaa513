import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { inLanguage, signIn, userToken } from './helpers';
import { waitForSeries, waitReady } from './serverHelpers';

// #17: the Monitoring tab of a service (component api-gateway): one chart per
// probe panel (success, duration, HTTP status), read from Prometheus by the
// backend (plugins/monitoring-backend/src/views/probePanels.ts). The e2e
// backend asks the Prometheus on 127.0.0.1:29090 (app-config.e2e.yaml); this
// spec starts a real one there that scrapes a real blackbox exporter (Debian
// prometheus-blackbox-exporter) probing an HTTP server of this spec, with
// the labels opsdeck's probe discovery gives a probe's series (opsdeck_entity,
// opsdeck_probe = the id of the probe this spec creates over the API). The
// probe's own target is a TEST-NET address (opsdeck refuses loopback probe
// targets); the scrape config, not opsdeck, points the exporter here.

const PROMETHEUS_PORT = 29090;
const BLACKBOX_PORT = 29115;
const TARGET_PORT = 29182;
const ENTITY = 'api-gateway';
const ENTITY_REF = `component:default/${ENTITY}`;
const PROBE_TARGET = 'http://203.0.113.21/healthz';
const children: ChildProcess[] = [];
let target: http.Server;
let dir: string;
let probeId: number;

async function opsHeaders(request: APIRequestContext) {
  return { Authorization: `Bearer ${await userToken(request, 'bob')}` };
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  const created = await request.post('/api/monitoring/probes', {
    headers: await opsHeaders(request),
    data: {
      entityRef: ENTITY_REF,
      kind: 'http',
      target: PROBE_TARGET,
      interval: '15s',
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  probeId = (await created.json()).id;

  target = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  await new Promise<void>(r => target.listen(TARGET_PORT, '127.0.0.1', r));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-probes-'));
  fs.writeFileSync(
    path.join(dir, 'blackbox.yml'),
    `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
`,
  );
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: opsdeck-probes
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ['http://127.0.0.1:${TARGET_PORT}/healthz']
        labels:
          opsdeck_entity: ${ENTITY_REF}
          opsdeck_probe: '${probeId}'
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - target_label: __address__
        replacement: 127.0.0.1:${BLACKBOX_PORT}
`,
  );
  children.push(
    spawn(
      'prometheus-blackbox-exporter',
      [
        `--config.file=${path.join(dir, 'blackbox.yml')}`,
        `--web.listen-address=127.0.0.1:${BLACKBOX_PORT}`,
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
  await waitReady(`http://127.0.0.1:${BLACKBOX_PORT}/metrics`);
  await waitReady(`http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`);
  await waitForSeries(
    PROMETHEUS_PORT,
    `probe_http_status_code{opsdeck_probe="${probeId}"} == 200`,
  );
});

test.afterAll(async ({ request }) => {
  if (probeId) {
    const res = await request.delete(`/api/monitoring/probes/${probeId}`, {
      headers: await opsHeaders(request),
    });
    expect(res.status()).toBe(204);
  }
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
  target?.closeAllConnections();
  await new Promise(r => target?.close(r));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The number of points of the first line of the chart with this test id. */
async function pointsOf(page: Page, testId: string) {
  const points = await page
    .getByTestId(testId)
    .locator('polyline')
    .first()
    .getAttribute('points');
  return (points ?? '').trim().split(/\s+/).filter(Boolean).length;
}

async function expectProbeCharts(page: Page) {
  for (const id of ['probeSuccess', 'probeDuration', 'probeStatusCode']) {
    const chart = page.getByTestId(`chart-${id}-${probeId}`);
    await expect(chart).toBeVisible({ timeout: 30_000 });
    expect(await pointsOf(page, `chart-${id}-${probeId}`)).toBeGreaterThan(0);
  }
}

test("a developer sees a service's probe charts with data and changes the time range", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await page.goto(`/catalog/default/component/${ENTITY}`);
  await page.getByText('Monitoring', { exact: true }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${ENTITY}/monitoring$`),
  );
  for (const title of [
    'Probe succeeded',
    'Probe duration',
    'HTTP status code',
  ]) {
    await expect(page.getByText(title, { exact: true })).toBeVisible({
      timeout: 30_000,
    });
  }
  // each card names its probe
  await expect(page.getByText(`HTTP · ${PROBE_TARGET}`)).toHaveCount(3);
  await expectProbeCharts(page);
  // series arrived: the latest value of each line, from the exporter
  await expect(page.getByText('success: 1')).toBeVisible();
  await expect(page.getByText('status: 200')).toBeVisible();
  await expect(page.getByText(/^duration: \d+\.\d s$/)).toBeVisible();
  await expect(page.getByText('No probes on this service.')).toHaveCount(0);

  const asked = page.waitForResponse(
    r =>
      r.url().includes(`/component/default/${ENTITY}/panels`) &&
      r.url().includes('range=6h'),
  );
  await page.getByText('Last hour').click();
  await page.getByRole('option', { name: 'Last 6 hours' }).click();
  const answer = await asked;
  expect(answer.status()).toBe(200);
  const panels = (await answer.json()).panels as {
    id: string;
    series: { points: unknown[] }[];
  }[];
  expect(panels.map(p => p.id).sort()).toEqual([
    'probeDuration',
    'probeStatusCode',
    'probeSuccess',
  ]);
  expect(panels.every(p => p.series[0].points.length > 0)).toBe(true);
  await expect(page.getByRole('button', { name: 'Time range' })).toHaveText(
    'Last 6 hours',
  );
  await expectProbeCharts(page);
  await expect(page.getByText('status: 200')).toBeVisible();
});

test("zh-CN: a service's probe charts in Chinese", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await inLanguage(page, 'zh-CN', async () => {
    await page.goto(`/catalog/default/component/${ENTITY}`);
    await page.getByText('监控', { exact: true }).click();
    for (const title of ['探测成功', '探测耗时', 'HTTP 状态码']) {
      await expect(page.getByText(title, { exact: true })).toBeVisible({
        timeout: 30_000,
      });
    }
    await expect(page.getByText(`HTTP · ${PROBE_TARGET}`)).toHaveCount(3);
    await expectProbeCharts(page);
    await expect(page.getByText('成功: 1')).toBeVisible();
    await expect(page.getByText('状态码: 200')).toBeVisible();
    await expect(page.getByText(/^耗时: \d+\.\d s$/)).toBeVisible();
    // each chart's largest value in Chinese too (success charts: 1)
    await expect(page.getByText('最大 1').first()).toBeVisible();
    await expect(page.getByText(/^max /)).toHaveCount(0);
    await page.getByText('最近 1 小时').click();
    await page.getByRole('option', { name: '最近 6 小时' }).click();
    await expect(page.getByRole('button', { name: '时间范围' })).toHaveText(
      '最近 6 小时',
    );
    await expectProbeCharts(page);
    await expect(page.getByText('状态码: 200')).toBeVisible();
  });
});
