import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';
import {
  monitoringServers,
  PROMETHEUS_PORT,
  waitForSeries,
} from './serverHelpers';

// The Monitoring tab of a catalog entity (plugins/monitoring,
// plugins/monitoring-backend): the charts of the host pay-app-01 (a real
// node_exporter), the database pay-db-main (PostgreSQL exporter) and the
// cache session-cache (Redis exporter), read from the real Prometheus that
// monitoringServers (serverHelpers.ts) starts on 127.0.0.1:29090, the e2e
// backend's opsdeck.monitoring.prometheus.url (app-config.e2e.yaml). The
// /monitoring page is monitoring-alerts.spec.ts's.

const servers = monitoringServers();

test.beforeAll(async () => {
  await servers.start();
});

test.afterAll(async () => {
  await servers.stop();
});

async function openMonitoringTab(
  page: Page,
  tab: string,
  entity = 'pay-app-01',
) {
  await page.goto(`/catalog/default/resource/${entity}`);
  // the entity page's tabs are links
  await page.getByText(tab, { exact: true }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/resource/${entity}/monitoring$`),
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

  // a service's tab charts its probes; payments-api has none, and a
  // developer (no rule.manage) gets no link to the Probes tab
  await page.goto('/catalog/default/component/payments-api/monitoring');
  await expect(page.getByText('No probes on this service.')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByText('Add a probe in the Probes tab')).toHaveCount(0);
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

  // a service without probes, in Chinese; ops follows the link to the Probes tab
  await page.goto('/catalog/default/component/payments-api/monitoring');
  await expect(page.getByText('此服务没有探测。')).toBeVisible({
    timeout: 30_000,
  });
  await page.getByRole('link', { name: '在“探测”标签页添加探测' }).click();
  await expect(page).toHaveURL(/\/monitoring\?tab=probes$/);
  await expect(page.getByRole('button', { name: '新建探测' })).toBeVisible();
});

test('a DBA sees the database charts of pay-db-main (PostgreSQL exporter)', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await waitForSeries(
    PROMETHEUS_PORT,
    'pg_up{opsdeck_entity="resource:default/pay-db-main"} == 1',
  );
  await signIn(page, 'carol');
  await openMonitoringTab(page, 'Monitoring', 'pay-db-main');
  await expect(page.getByText('Connections', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  for (const title of [
    'Transactions per second',
    'Replication lag',
    'Deadlocks',
    'Scraped (up)',
  ]) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  // host panels are not a database's
  await expect(page.getByText('Load average', { exact: true })).toHaveCount(0);
  await expect(page.getByTestId('chart-connections')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId('chart-up')).toBeVisible();
});

test('the cache Monitoring tab in Chinese (Redis exporter)', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await waitForSeries(
    PROMETHEUS_PORT,
    'redis_up{opsdeck_entity="resource:default/session-cache"} == 1',
  );
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openMonitoringTab(page, '监控', 'session-cache');
  await expect(page.getByText('已连接客户端')).toBeVisible({ timeout: 30_000 });
  for (const title of ['命中率', '每秒驱逐数', '采集状态（up）']) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  await expect(page.getByText('最近 1 小时')).toBeVisible();
  await expect(page.getByTestId('chart-clients')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId('chart-memory')).toBeVisible();
});

// --- the /monitoring page: rules, silences, alerts with deliveries ----------
