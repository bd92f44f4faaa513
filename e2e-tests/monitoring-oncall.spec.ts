import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

// On-call rotations on the /monitoring page (plugins/monitoring, monitoring-
// backend's /oncall): ops creates a rotation of the catalog group ops in
// Chinese, members picked from the catalog (examples/org.yaml: Bob Li and
// Alice Wang are ops), and sees who is on call now. In a file of its own:
// monitoring-alerts.spec.ts starts Prometheus, which this case does not need.

test('ops creates an on-call rotation in Chinese and sees who is on call', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = `值班 ${Date.now() % 100000}`;
  // a daily rotation in Asia/Shanghai handing off at 00:00 and starting
  // today (Shanghai's date): its first member is on call whatever the hour
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
  }).format(new Date());
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await page.goto('/monitoring?tab=oncall');
  await expect(page.getByRole('tab', { name: '值班' })).toBeVisible();
  await page.getByRole('button', { name: '新建轮值' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('新建值班轮值')).toBeVisible();
  await dialog.getByLabel('名称').fill(name);
  await dialog.getByLabel('组（告警负责组）').click();
  await page.getByRole('option', { name: /group:default\/ops\)/ }).click();
  await dialog.getByLabel('成员（按轮值顺序）').click();
  // only the group's users are offered
  await expect(page.getByRole('option', { name: /Dave Chen/ })).toHaveCount(0);
  await page.getByRole('option', { name: /Bob Li/ }).click();
  await dialog.getByLabel('成员（按轮值顺序）').click();
  await page.getByRole('option', { name: /Alice Wang/ }).click();
  await dialog.getByLabel('班次长度').selectOption('daily');
  await dialog.getByLabel('交接时间').fill('00:00');
  await dialog.getByLabel('时区').fill('Asia/Shang');
  await page
    .getByRole('option', { name: 'Asia/Shanghai', exact: true })
    .click();
  await dialog.getByLabel('开始日期').fill(today);
  await dialog.getByRole('button', { name: '创建' }).click();
  await expect(dialog).toBeHidden();

  const card = page.locator('[data-testid^="rotation-"]').filter({
    hasText: name,
  });
  await expect(card).toContainText('当前值班: bob');
  await expect(card).toContainText('每天');
  await expect(card).toContainText('bob → alice');
  // the schedule: bob now, alice from the next handoff
  const rows = card.locator('[data-testid^="schedule-"] tbody tr');
  await expect(rows.first()).toContainText('bob');
  await expect(rows.nth(1)).toContainText('alice');

  await card.getByRole('button', { name: '删除' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '删除' }).click();
  await expect(card).toHaveCount(0);
});
