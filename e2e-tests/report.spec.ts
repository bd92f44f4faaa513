import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// The weekly tech report (plugins/report, plugins/report-backend). The
// backend writes last week's drafts by itself shortly after it starts; an
// admin may also generate a past week on demand. Drafts are sent 10 hours
// after they are written (the draft window), so they stay drafts here.

/** Monday (UTC, the e2e time zone) of the week before the current one. */
function lastWeekStart(now = new Date()) {
  const day = (now.getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day),
  );
  monday.setUTCDate(monday.getUTCDate() - 7);
  return monday.toISOString().slice(0, 10);
}

/** Makes sure last week's reports exist and returns the org report's id. */
async function lastWeekOrgReport(request: APIRequestContext) {
  const week = lastWeekStart();
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const generated = await request.post(`/api/report/weeks/${week}/generate`, {
    headers,
  });
  expect(generated.status(), await generated.text()).toBeLessThan(300);
  const list = await request.get('/api/report/reports?scope=org&limit=50', {
    headers,
  });
  expect(list.status()).toBe(200);
  const org = (
    (await list.json()).items as Array<{
      id: number;
      weekStart: string;
      state: string;
    }>
  ).find(r => r.weekStart === week);
  expect(org, `org report of ${week}`).toBeTruthy();
  return { id: org!.id, week, state: org!.state };
}

async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

test('an ops engineer reads last week’s report, follows a figure to its records and writes the highlights', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const { id, week, state } = await lastWeekOrgReport(request);
  expect(state).toBe('draft');

  await signIn(page, 'bob');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Weekly report' }).click();
  await expect(page).toHaveURL(/\/report$/);
  const row = page
    .getByTestId('report-row')
    .filter({ hasText: week })
    .filter({ hasText: 'Draft' });
  await expect(row.first()).toBeVisible();
  await page.goto(`/report/${id}`);
  await expect(page.getByText(`Week of ${week}`)).toBeVisible();
  await expect(
    page.getByText(/Draft: editors can add highlights/),
  ).toBeVisible();

  // A figure of every connected section; monitoring and CI are not connected here.
  for (const [key, label] of [
    ['sql.executed', 'SQL changes executed'],
    ['jobs.failed', 'Job runs failed'],
    ['bastion.prodSessions', 'Bastion sessions on prod'],
    ['tickets.closed', 'Tickets closed'],
    ['docs.updated', 'Updated docs'],
  ]) {
    await expect(page.getByTestId(`figure-${key}`)).toContainText(label);
  }
  await expect(
    page.getByText('Not connected in this installation'),
  ).toHaveCount(2);

  // A figure links to the records it counts.
  const opened = page.getByTestId('figure-tickets.opened');
  await expect(opened).toContainText('Tickets opened');
  await opened.getByRole('link').click();
  await expect(page).toHaveURL(
    new RegExp(`/report/${id}/figures/tickets\\.opened$`),
  );
  await expect(page.getByText(/Tickets opened: \d+ records/)).toBeVisible();

  // bob (ops) may edit a draft's highlights, in Chinese too.
  await page.goto(`/report/${id}`);
  const highlights = `e2e 要点 ${Date.now().toString(36)}：网关扩容完成。`;
  await page.getByRole('button', { name: 'Edit highlights' }).click();
  await page.getByRole('button', { name: /^Language/ }).click();
  await page.getByRole('option', { name: 'Simplified Chinese' }).click();
  await page
    .getByRole('textbox', { name: 'What mattered this week' })
    .fill(highlights);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Highlights saved.')).toBeVisible();
  await expect(page.getByTestId('report-highlights')).toHaveText(highlights);
  await expect(page.getByTestId('report-highlights')).toHaveAttribute(
    'lang',
    'zh-CN',
  );
});

test('the weekly report in Simplified Chinese, read-only for a viewer', async ({
  page,
  request,
}) => {
  const { id, week } = await lastWeekOrgReport(request);
  // erin (security) is a viewer: reads reports, edits nothing.
  await signIn(page, 'erin');
  await useChinese(page);
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: '技术周报' }).click();
  await expect(
    page.getByRole('heading', { name: '技术周报', exact: true }).first(),
  ).toBeVisible();
  await expect(
    page.getByTestId('report-row').filter({ hasText: week }).first(),
  ).toContainText('草稿');
  await page.goto(`/report/${id}`);
  await expect(page.getByText(`${week} 这一周`)).toBeVisible();
  for (const [key, label] of [
    ['sql.executed', 'SQL 变更执行'],
    ['bastion.prodSessions', '生产环境堡垒机会话'],
    ['docs.new', '新增文档'],
  ]) {
    await expect(page.getByTestId(`figure-${key}`)).toContainText(label);
  }
  await expect(page.getByText('本环境未接入')).toHaveCount(2);
  await expect(page.getByTestId('figure-tickets.opened')).toContainText(
    '新建工单',
  );
  await expect(page.getByText('本周要点', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: '编辑要点' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: '立即发送' })).toHaveCount(0);
});
