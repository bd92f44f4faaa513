import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';
import {
  ALERTMANAGER_PORT,
  ALERTMANAGER_TOKEN,
  DOWN_PORT,
  monitoringServers,
  PROMETHEUS_PORT,
} from './serverHelpers';

// The /monitoring page, Monitoring and alerts (plugins/monitoring,
// plugins/monitoring-backend): alerts with their deliveries, rules, silences,
// probes, channels and the fleet overview, and who sees which. The servers
// are monitoringServers' (serverHelpers.ts): Prometheus with its lifecycle API
// reads the rule file the backend writes (opsdeck.monitoring.rules.file in the
// e2e data dir), a real Alertmanager holds the silences, and alerts are
// posted to the backend's webhook with the e2e Alertmanager token; the
// channel e2e-hook delivers to the receiver there, e2e-down to a closed port
// (29096). The Monitoring tab's charts are monitoring-charts.spec.ts's.

const servers = monitoringServers();
const received = servers.received;

test.beforeAll(async () => {
  await servers.start();
});

test.afterAll(async () => {
  await servers.stop();
});

/** A suffix that makes this run's names unique. */
const run = Date.now().toString(36);

async function openMonitoringPage(page: Page, tab?: string) {
  await page.goto('/monitoring');
  if (tab) await page.getByRole('tab', { name: tab }).click();
}

/** Picks an entity from the catalog in a dialog's entity picker. */
async function pickEntity(page: Page, label: string, name: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(label, { exact: true }).fill(name);
  await page
    .getByRole('option', { name: new RegExp(`^${name} \\(host`) })
    .click();
}

/** Posts one firing alert of pay-app-01 to the backend as Alertmanager does. */
async function postAlert(request: APIRequestContext, summary: string) {
  const res = await request.post('/api/monitoring/alerts/webhook', {
    headers: { Authorization: `Bearer ${ALERTMANAGER_TOKEN}` },
    data: {
      version: '4',
      status: 'firing',
      receiver: 'opsdeck',
      alerts: [
        {
          status: 'firing',
          labels: {
            alertname: 'HostDown',
            severity: 'critical',
            opsdeck_entity: 'resource:default/pay-app-01',
          },
          annotations: { summary },
          startsAt: new Date().toISOString(),
          fingerprint: `e2e${Date.now().toString(16)}`,
        },
      ],
    },
  });
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
}

test('ops creates a host-down rule for a host from the template; Prometheus loads it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = `pay-app-01 down ${run}`;
  await signIn(page, 'bob');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Monitoring and alerts' })
    .click();
  await expect(page).toHaveURL(/\/monitoring$/);
  await page.getByRole('tab', { name: 'Rules' }).click();
  await page.getByRole('button', { name: 'New rule' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('New alert rule')).toBeVisible();
  await dialog.getByLabel('Rule name').fill(name);
  await dialog.getByLabel('Template').selectOption('host-down');
  await expect(
    dialog.getByText('Fires HostDown; default duration 1m'),
  ).toBeVisible();
  await pickEntity(page, 'Entity', 'pay-app-01');
  await dialog.getByLabel('Severity').selectOption('warning');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId(`rule-${name}`);
  await expect(row).toContainText('Host down');
  await expect(row).toContainText('entity resource:default/pay-app-01');
  await expect(row).toContainText('warning');
  await expect(row).toContainText('bob');

  // the rule file was checked, written and Prometheus reloaded it
  await expect
    .poll(
      async () => {
        const res = await fetch(
          `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/rules`,
        );
        const body = (await res.json()) as any;
        return body.data.groups
          .flatMap((g: any) => g.rules)
          .filter(
            (r: any) =>
              r.name === 'HostDown' &&
              r.labels?.severity === 'warning' &&
              String(r.query).includes('resource:default/pay-app-01'),
          ).length;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);

  // edit: a new version, listed with who wrote it
  await row.getByRole('button', { name: 'Edit' }).click();
  await dialog.getByLabel('Severity').selectOption('critical');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('critical');
  await row.getByRole('button', { name: 'Versions' }).click();
  const versions = page.getByTestId('rule-versions');
  await expect(versions.getByRole('row')).toHaveCount(3);
  await expect(versions).toContainText(name);
  await page.getByRole('button', { name: 'Close' }).click();

  // delete it again
  await row.getByRole('button', { name: 'Delete' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(page.getByTestId(`rule-${name}`)).toHaveCount(0);
});

test('ops silences a host in Alertmanager and expires the silence', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const comment = `kernel upgrade ${run}`;
  await signIn(page, 'bob');
  await openMonitoringPage(page, 'Silences');
  await page.getByRole('button', { name: 'Silence', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await pickEntity(page, 'Entity', 'pay-app-01');
  await dialog.getByLabel('Alert name (optional)').fill('HostDown');
  await dialog.getByLabel('Duration').selectOption('120');
  await dialog.getByLabel('Comment').fill(comment);
  await dialog.getByRole('button', { name: 'Silence', exact: true }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('row').filter({ hasText: comment });
  await expect(row).toContainText('pay-app-01');
  await expect(row).toContainText('HostDown');
  await expect(row).toContainText('active');

  const silences = async () => {
    const res = await fetch(
      `http://127.0.0.1:${ALERTMANAGER_PORT}/api/v2/silences`,
    );
    return ((await res.json()) as any[]).filter(x => x.comment === comment);
  };
  const [created] = await silences();
  expect(created.status.state).toBe('active');
  expect(created.createdBy).toBe('user:default/bob');
  expect(created.matchers).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        name: 'opsdeck_entity',
        value: 'resource:default/pay-app-01',
      }),
    ]),
  );

  await row.getByRole('button', { name: 'Expire' }).click();
  await expect(row).toContainText('expired');
  await expect(row.getByRole('button', { name: 'Expire' })).toHaveCount(0);
  expect((await silences())[0].status.state).toBe('expired');
});

test('an alert posted to the webhook is listed with its deliveries', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const summary = `pay-app-01 is down ${run}`;
  await postAlert(request, summary);
  expect(received.some(body => body.includes(summary))).toBe(true);

  await signIn(page, 'bob');
  await openMonitoringPage(page);
  const row = page.getByRole('row').filter({ hasText: summary });
  await expect(row).toContainText('firing');
  await expect(row).toContainText('HostDown');
  await expect(row).toContainText('critical');
  await expect(row.getByRole('link', { name: 'pay-app-01' })).toHaveAttribute(
    'href',
    '/catalog/default/resource/pay-app-01',
  );
  await row
    .getByRole('button', { name: 'Show deliveries of HostDown' })
    .click();
  const sent = page.getByTestId('delivery-e2e-hook');
  await expect(sent).toContainText('e2e-hook (webhook)');
  await expect(sent).toContainText('sent');
  const failed = page.getByTestId('delivery-e2e-down');
  await expect(failed).toContainText('failed');
  await expect(failed).toContainText('request failed (ECONNREFUSED)');

  // ops acknowledges it (its escalation stops), with a comment, and takes it back
  await expect(row).toContainText('Unacknowledged');
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Acknowledge HostDown')).toBeVisible();
  await dialog.getByLabel('Comment (optional)').fill(`on it ${run}`);
  await dialog.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('Acknowledged by bob');
  await row.getByRole('button', { name: 'Un-acknowledge' }).click();
  await expect(row).toContainText('Unacknowledged');
  await expect(row.getByRole('button', { name: 'Acknowledge' })).toBeVisible();
  // ops may send the failed delivery again
  await expect(
    failed.getByRole('button', { name: 'Send again' }),
  ).toBeVisible();

  // the channel's test message, previewed, then sent for real
  await openMonitoringPage(page, 'Channels');
  await page
    .getByTestId('channel-e2e-hook')
    .getByRole('button', { name: 'Preview and test send' })
    .click();
  const testDialog = page.getByRole('dialog');
  await expect(testDialog.getByTestId('channel-preview')).toContainText(
    'Test send by user:default/bob',
  );
  const before = received.length;
  await testDialog.getByTestId('channel-test-send').click();
  await expect(testDialog.getByTestId('channel-test-result')).toContainText(
    'Delivery: sent',
  );
  expect(
    received
      .slice(before)
      .some(body => body.includes('Test send by user:default/bob')),
  ).toBe(true);

  // the owner group (ops: bob) has the alert in Backstage's notification list
  await page.goto('/notifications');
  await expect(
    page.getByText(/^(Unread|All) notifications \(\d+\)$/).first(),
  ).toBeVisible();
  await expect(page.getByText(summary).first()).toBeVisible();
});

test('ops adds a sub-minute TCP probe to a host, edits it and deletes it (metadata and loopback targets refused); a developer sees it without Edit or Delete', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // TEST-NET-3: a routable-looking address nothing needs to resolve; the
  // backend checks the blackbox module with the real exporter's --config.check
  const port = 20000 + (Date.now() % 40000);
  const target = `203.0.113.7:${port}`;
  const edited = `203.0.113.8:${port}`;
  await signIn(page, 'bob');
  await openMonitoringPage(page, 'Probes');
  await page.getByRole('button', { name: 'New probe' }).click();
  const dialog = page.getByRole('dialog');
  await pickEntity(page, 'Entity', 'pay-app-01');
  await dialog.getByLabel('Kind').selectOption('http');
  await dialog
    .getByLabel('Target')
    .fill('http://169.254.169.254/latest/meta-data/');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByRole('alert')).toContainText(
    'Probes may not reach 169.254.169.254',
  );
  await dialog.getByLabel('Kind').selectOption('tcp');
  await dialog.getByLabel('Target').fill(target);
  await dialog.getByLabel('Interval').selectOption('15s');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('row').filter({ hasText: target });
  await expect(row).toContainText('pay-app-01');
  await expect(row).toContainText('TCP port');
  await expect(row).toContainText('15s');
  await expect(row).toContainText('bob');
  // the e2e Prometheus does not scrape probes: no probe_success yet
  await expect(row.getByTestId('probe-state')).toHaveText('Unknown');

  // edit: its values are filled in; a loopback target is refused as on create
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(dialog.getByText(/^Edit probe \d+$/)).toBeVisible();
  await expect(dialog.getByLabel('Target')).toHaveValue(target);
  await expect(dialog.getByLabel('Interval')).toHaveValue('15s');
  await dialog.getByLabel('Target').fill('127.0.0.1:22');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toContainText(
    'Probes may not reach 127.0.0.1',
  );
  await dialog.getByLabel('Target').fill(edited);
  await dialog.getByLabel('Interval').selectOption('30s');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const editedRow = page.getByRole('row').filter({ hasText: edited });
  await expect(editedRow).toContainText('30s');
  await expect(editedRow).toContainText('pay-app-01');
  await expect(page.getByRole('row').filter({ hasText: target })).toHaveCount(
    0,
  );

  // a developer reads it, with no way to change it
  const dev = await browser.newContext();
  try {
    const devPage = await dev.newPage();
    await signIn(devPage, 'dave');
    await openMonitoringPage(devPage, 'Probes');
    const devRow = devPage.getByRole('row').filter({ hasText: edited });
    await expect(devRow).toContainText('pay-app-01');
    await expect(
      devPage.getByRole('button', { name: 'New probe' }),
    ).toHaveCount(0);
    await expect(devPage.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await expect(devPage.getByRole('button', { name: 'Delete' })).toHaveCount(
      0,
    );
  } finally {
    await dev.close();
  }

  // delete asks first
  await editedRow.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toContainText(`Delete the probe of ${edited}?`);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: edited })).toHaveCount(
    0,
  );
});

test('the monitoring page in Chinese', async ({ page, request }) => {
  test.setTimeout(120_000);
  const summary = `pay-app-01 宕机 ${run}`;
  await postAlert(request, summary);
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await page.goto('/monitoring');
  await expect(page.getByRole('tab', { name: '规则' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: summary });
  await expect(row).toContainText('告警中');
  await row.getByRole('button', { name: '显示 HostDown 的投递' }).click();
  await expect(page.getByTestId('delivery-e2e-hook')).toContainText('已发送');
  await expect(page.getByTestId('delivery-e2e-down')).toContainText('失败');
  await expect(
    page
      .getByTestId('delivery-e2e-down')
      .getByRole('button', { name: '重新发送' }),
  ).toBeVisible();
  // 确认告警: the acknowledgement in Chinese
  await expect(row).toContainText('未确认');
  await row.getByRole('button', { name: '确认告警' }).click();
  const ack = page.getByRole('dialog');
  await expect(ack.getByText('确认告警 HostDown')).toBeVisible();
  await ack.getByLabel('备注（可选）').fill('处理中');
  await ack.getByRole('button', { name: '确认告警' }).click();
  await expect(row).toContainText('已由 bob 确认');
  await expect(row.getByRole('button', { name: '取消确认' })).toBeVisible();

  await page.getByRole('tab', { name: '规则' }).click();
  await page.getByRole('button', { name: '新建规则' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('新建告警规则')).toBeVisible();
  await expect(dialog.getByLabel('模板')).toContainText('主机宕机');
  await dialog.getByRole('button', { name: '取消' }).click();

  await page.getByRole('tab', { name: '静默' }).click();
  await page.getByRole('button', { name: '静默', exact: true }).click();
  await expect(
    page.getByRole('dialog').getByText('静默实体的告警'),
  ).toBeVisible();
  await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

  // a probe created, edited and deleted in Chinese
  const port = 20000 + ((Date.now() + 7) % 40000);
  const target = `203.0.113.9:${port}`;
  const edited = `203.0.113.10:${port}`;
  await page.getByRole('tab', { name: '探测' }).click();
  await page.getByRole('button', { name: '新建探测' }).click();
  const probe = page.getByRole('dialog');
  await expect(probe.getByLabel('类型')).toContainText('TCP 端口');
  await expect(probe.getByLabel('间隔')).toContainText('15 秒');
  await pickEntity(page, '实体', 'pay-app-01');
  await probe.getByLabel('目标').fill(target);
  await probe.getByLabel('间隔').selectOption('15s');
  await probe.getByRole('button', { name: '创建' }).click();
  await expect(probe).toBeHidden();
  const probeRow = page.getByRole('row').filter({ hasText: target });
  await expect(probeRow).toContainText('TCP 端口');
  await expect(probeRow.getByTestId('probe-state')).toHaveText('未知');
  await expect(page.getByRole('columnheader', { name: '状态' })).toBeVisible();
  await probeRow.getByRole('button', { name: '编辑' }).click();
  await expect(probe.getByText(/^编辑探测 \d+$/)).toBeVisible();
  await probe.getByLabel('目标').fill('http://[::1]:8080/');
  await probe.getByRole('button', { name: '保存' }).click();
  await expect(probe.getByRole('alert')).toContainText('探测被拒绝');
  await probe.getByLabel('目标').fill(edited);
  await probe.getByRole('button', { name: '保存' }).click();
  await expect(probe).toBeHidden();
  const editedRow = page.getByRole('row').filter({ hasText: edited });
  await editedRow.getByRole('button', { name: '删除' }).click();
  await expect(probe).toContainText(`删除对 ${edited} 的探测？`);
  await probe.getByRole('button', { name: '删除' }).click();
  await expect(probe).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: edited })).toHaveCount(
    0,
  );

  // the alert in Backstage's notification list, in Chinese
  await page.goto('/notifications');
  await expect(
    page.getByText(/^(未读通知|全部通知)（\d+）$/).first(),
  ).toBeVisible();
  await expect(page.getByText(summary).first()).toBeVisible();
});

test('a developer reads rules and silences without New rule, Silence or Expire', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openMonitoringPage(page, 'Rules');
  await expect(page.getByRole('tab', { name: 'Alerts' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New rule' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Silences' }).click();
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Silence', exact: true }),
  ).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Expire' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Probes' }).click();
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New probe' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Channels' }).click();
  await expect(page.getByTestId('channel-e2e-hook')).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Preview and test send' }),
  ).toHaveCount(0);
});

test('the fleet overview: top hosts and what is down, with links (en, zh-CN)', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openMonitoringPage(page, 'Fleet');
  const cpu = page.getByTestId('fleet-cpu');
  await expect(cpu.getByRole('link', { name: 'pay-app-01' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(cpu).toContainText('%');
  await expect(page.getByTestId('fleet-memory')).toContainText('pay-app-01');
  await expect(page.getByTestId('fleet-disk')).toContainText('pay-app-01');
  const down = page.getByTestId('fleet-down');
  await expect(down).toContainText(`127.0.0.1:${DOWN_PORT}`);
  await expect(page.getByTestId('fleet-as-of')).toContainText(
    'hosts you may read; numbers as of',
  );
  await down.getByRole('link', { name: 'web-02' }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/web-02$/);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await page.goto('/monitoring?tab=fleet');
  await expect(page.getByRole('tab', { name: '主机总览' })).toBeVisible();
  await expect(page.getByText('CPU 使用率最高的主机')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByText('宕机（exporter 无响应）')).toBeVisible();
  await expect(page.getByTestId('fleet-as-of')).toContainText('数据时间');
  await expect(page.getByTestId('fleet-down')).toContainText('web-02');
});

test('a viewer sees only the fleet tab, no New rule, Silence or probe controls', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'erin');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Monitoring and alerts' })
    .click();
  await expect(page.getByRole('tab')).toHaveText(['Fleet']);
  await expect(
    page.getByTestId('fleet-cpu').getByRole('link', { name: 'pay-app-01' }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'New rule' })).toHaveCount(0);
  await expect(
    page.getByRole('button', { name: 'Silence', exact: true }),
  ).toHaveCount(0);
  // nor the probes (they need alert.read), even asked for by URL
  await page.goto('/monitoring?tab=probes');
  await expect(page.getByRole('tab')).toHaveText(['Fleet']);
  await expect(page.getByTestId('probes-table')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New probe' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
});

test('a user without a role sees no Monitoring and alerts entry and is told what is missing', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'victor');
  await page.goto('/monitoring');
  await expect(page.getByTestId('opsdeck-not-allowed')).toContainText(
    'opsdeck.monitoring.alert.read',
  );
  await expect(page.getByRole('tab')).toHaveCount(0);
  // the policy has answered (the notice above): no sidebar entry either
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Monitoring and alerts' }),
  ).toHaveCount(0);
});
