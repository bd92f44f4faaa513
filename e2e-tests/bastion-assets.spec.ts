import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  inLanguage,
  signIn,
  userToken,
} from './helpers';

// My assets (/bastion/assets): the hosts a person's grants reach, one click to a
// terminal, several terminals as tabs. web-02 (storefront, staging) and build-01
// (platform, dev) need no TOTP step-up.

async function headersOf(request: APIRequestContext, user: string) {
  return { Authorization: `Bearer ${await userToken(request, user)}` };
}

async function grant(
  request: APIRequestContext,
  subject: string,
  host: string,
) {
  const res = await request.post('/api/bastion/grants', {
    headers: await headersOf(request, 'alice'),
    data: {
      subject,
      selector: { host },
      loginUser: 'opsdeck',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'e2e my assets',
    },
  });
  expect(res.status()).toBe(201);
}

/** The terminal tab in front (hidden panels are not in the accessibility tree). */
const panel = (page: Page) => page.getByRole('tabpanel');
const screenText = (page: Page) =>
  panel(page).getByTestId('bastion-terminal').locator('.xterm-rows');

async function openFromAssets(page: Page, host: string, label: RegExp) {
  await page
    .getByRole('button', { name: `Open a terminal on ${host}` })
    .click();
  await expect(page.getByRole('tab', { selected: true })).toHaveText(host);
  await expect(panel(page).getByTestId('terminal-status')).toContainText(
    label,
    { timeout: 30_000 },
  );
  await panel(page).getByTestId('bastion-terminal').click();
  await expect(screenText(page)).toContainText('$', { timeout: 15_000 });
}

test('an ops user opens two terminals from My assets in tabs, runs a command in each, switches back and closes one', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await ensureDemoSshCredential(request);
  await grant(request, 'user:default/bob', 'web-02');
  await grant(request, 'user:default/bob', 'build-01');

  await signIn(page, 'bob');
  await page.goto('/bastion');
  await page.getByRole('button', { name: 'My assets' }).click();
  await expect(page).toHaveURL(/\/bastion\/assets$/);
  const assets = page.getByTestId('my-assets');
  await expect(
    assets.getByRole('region', { name: 'storefront · staging' }),
  ).toContainText('web-02');
  await expect(
    assets.getByRole('region', { name: 'platform · dev' }),
  ).toContainText('build-01');
  // search narrows the list
  await page.getByLabel('Search hosts').fill('build');
  await expect(assets.getByTestId('my-asset')).toHaveCount(1);
  await page.getByLabel('Search hosts').fill('');
  await expect(page.getByTestId('terminal-workspace-empty')).toBeVisible();

  await openFromAssets(page, 'web-02', /Connected as opsdeck/);
  const firstStatus = await panel(page)
    .getByTestId('terminal-status')
    .textContent();
  await page.keyboard.type('echo first-$((20+1))');
  await page.keyboard.press('Enter');
  await expect(screenText(page)).toContainText('first-21');

  await openFromAssets(page, 'build-01', /Connected as opsdeck/);
  const secondStatus = (await panel(page)
    .getByTestId('terminal-status')
    .textContent())!;
  expect(secondStatus).not.toEqual(firstStatus);
  await page.keyboard.type('echo second-$((30+2))');
  await page.keyboard.press('Enter');
  await expect(screenText(page)).toContainText('second-32');
  await expect(screenText(page)).not.toContainText('first-21');
  await expect(page.getByRole('tab')).toHaveCount(2);

  // back to the first tab: its output is still there and its session still runs
  await page
    .getByRole('tab', { name: /web-02/ })
    .getByText('web-02', { exact: true })
    .click();
  await expect(screenText(page)).toContainText('first-21');
  await expect(screenText(page)).not.toContainText('second-32');
  await expect(panel(page).getByTestId('terminal-status')).toHaveText(
    firstStatus!,
  );
  await panel(page).getByTestId('bastion-terminal').click();
  await page.keyboard.type('echo again-$((40+3))');
  await page.keyboard.press('Enter');
  await expect(screenText(page)).toContainText('again-43');
  // the terminal fills its box after the switch (fitted, not left at 0 columns)
  const box = await panel(page).locator('.xterm-screen').boundingBox();
  expect(box!.width).toBeGreaterThan(300);

  // closing the build-01 tab ends that session (and only that one)
  const secondId = /session (\S+)\)/.exec(secondStatus)![1];
  const firstId = /session (\S+)\)/.exec(firstStatus!)![1];
  await page
    .getByRole('button', { name: 'Close the terminal on build-01' })
    .click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  const bob = await headersOf(request, 'bob');
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(`/api/bastion/sessions/${secondId}`, {
              headers: bob,
            })
          ).json()
        ).endReason,
      { timeout: 15_000 },
    )
    .toBe('The browser disconnected');
  const first = await (
    await request.get(`/api/bastion/sessions/${firstId}`, { headers: bob })
  ).json();
  expect(first.endedAt).toBeUndefined();
  expect(first.host).toBe('web-02');
});

test('My assets in zh-CN: page, search, group, terminal and tab labels', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await ensureDemoSshCredential(request);
  await grant(request, 'user:default/bob', 'web-02');
  await signIn(page, 'bob');
  await inLanguage(page, 'zh-CN', async () => {
    await page.goto('/bastion/assets');
    await expect(
      page.getByRole('heading', { name: '我的资产', exact: true }),
    ).toBeVisible();
    await expect(page.getByLabel('搜索主机')).toBeVisible();
    await expect(page.getByTestId('terminal-workspace-empty')).toContainText(
      '每个终端在这里以独立的标签页打开',
    );
    await expect(
      page.getByRole('region', { name: 'storefront · staging' }),
    ).toContainText('登录用户：opsdeck');
    await page.getByRole('button', { name: '在 web-02 上打开终端' }).click();
    await expect(
      page.getByRole('tablist', { name: '已打开的终端' }),
    ).toBeVisible();
    await expect(panel(page).getByTestId('terminal-status')).toContainText(
      'opsdeck',
      { timeout: 30_000 },
    );
    await page.getByRole('button', { name: '关闭 web-02 上的终端' }).click();
    await expect(page.getByRole('tab')).toHaveCount(0);
  });
});

test('someone with no grant is told why nothing is listed; a viewer and a role-less user are not allowed', async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  // carol (dba) may open terminals but holds no grant
  const carol = await headersOf(request, 'carol');
  const mine = await request.get('/api/bastion/my-assets', { headers: carol });
  expect(mine.status()).toBe(200);
  expect((await mine.json()).items).toEqual([]);

  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'carol');
  await page.goto('/bastion/assets');
  const empty = page.getByTestId('my-assets-empty');
  await expect(empty).toContainText('No host to open a terminal on');
  await expect(empty).toContainText('You hold no access grant in force');
  await expect(
    empty.getByRole('button', { name: 'Request server access' }),
  ).toHaveAttribute('href', /request-server-access$/);
  await expect(page.getByText('Nothing yet')).toHaveCount(0);

  // erin (viewer) and victor (no role): the one "not allowed" notice, and the API refuses
  for (const user of ['erin', 'victor']) {
    const other = await (await browser.newContext()).newPage();
    await signIn(other, user);
    await other.goto('/bastion/assets');
    await expect(other.getByTestId('opsdeck-not-allowed')).toContainText(
      'opsdeck.bastion.session.open',
    );
    await expect(other.getByTestId('my-assets')).toHaveCount(0);
    const refused = await request.get('/api/bastion/my-assets', {
      headers: await headersOf(request, user),
    });
    expect(refused.status()).toBe(403);
  }
});
