import { expect, request as playwrightRequest, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn, userToken } from './helpers';

/** Server-side sessions: revoked from the Accounts page, open tabs follow (#14 items 3 and 5). */

test('an admin signs a user out everywhere: the open tab signs out and the cookie mints no token', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  // dave in a browser tab, and dave's cookie in an API client
  const daveContext = await browser.newContext();
  const dave = await daveContext.newPage();
  await signIn(dave, 'dave');
  // one connection per request: a kept-alive socket that the server closes while
  // the test waits in the UI can be reused at that moment (ECONNRESET)
  const api = await playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: { Connection: 'close' },
  });
  await userToken(api, 'dave');
  const refresh = () =>
    api.get('/api/auth/opsdeck/refresh', {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
  expect((await refresh()).status()).toBe(200);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'alice');
  await admin
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Accounts' })
    .click();
  await expect(admin).toHaveURL(/\/accounts/);
  const row = admin.getByTestId('account-row').filter({ hasText: 'dave' });
  await row.getByRole('button', { name: 'Sessions' }).click();
  const sessions = admin.getByRole('dialog');
  await expect(sessions.getByTestId('session-row').first()).toBeVisible();
  await expect(sessions.getByText(/127\.0\.0\.1|::1/).first()).toBeVisible();
  expect(
    await sessions.getByTestId('session-row').count(),
  ).toBeGreaterThanOrEqual(2);
  await sessions.getByRole('button', { name: 'Close' }).click();

  await row.getByRole('button', { name: 'Sign out everywhere' }).click();
  await admin
    .getByRole('dialog')
    .getByRole('button', { name: 'Sign out' })
    .click();
  await expect(admin.getByText(/^dave: \d+ sessions ended\.$/)).toBeVisible();

  // the cookie mints no token any more
  expect((await refresh()).status()).toBe(401);
  // dave's open tab notices within its 20-second check and shows the sign-in form
  await expect(
    dave.getByText('Your session has ended. Sign in again.'),
  ).toBeVisible({
    timeout: 45_000,
  });
  await expect(dave.getByLabel('Username')).toBeVisible();
  await expect(
    dave.getByRole('navigation', { name: 'sidebar nav' }),
  ).toHaveCount(0);

  // the sign-out is in the audit log with alice as the actor
  const token = await userToken(api, 'alice');
  const events = await api.get(
    '/api/audit/events?action=account-sign-out-everywhere&limit=20',
    { headers: { Authorization: `Bearer ${token}` } },
  );
  expect(events.status()).toBe(200);
  const [signOut] = (await events.json()).items;
  expect(signOut?.actor).toBe('user:default/alice');
  expect(JSON.stringify(signOut)).toContain('user:default/dave');
  await api.dispose();
  await daveContext.close();
  await adminContext.close();
});

test('the Accounts page follows permissions and speaks Simplified Chinese', async ({
  browser,
}) => {
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await signIn(dev, 'frank');
  await dev.goto('/accounts');
  await expect(
    dev.getByText('You do not have permission to see the accounts'),
  ).toBeVisible();
  await devContext.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'alice');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: '账号' })
    .click();
  await expect(
    page.getByRole('columnheader', { name: '最近登录' }),
  ).toBeVisible();
  const alice = page.getByTestId('account-row').filter({ hasText: 'alice' });
  await expect(alice.getByRole('button', { name: '全部登出' })).toBeVisible();
  await expect(alice.getByRole('button', { name: '重置密码' })).toBeVisible();
  await alice.getByRole('button', { name: '会话' }).click();
  await expect(
    page.getByRole('dialog').getByText('alice 的会话'),
  ).toBeVisible();
  await context.close();
});

test('TOTP enrolment asks for the sign-in password', async ({
  page,
  request,
}) => {
  const alice = await userToken(request, 'alice');
  // the API refuses an enrolment without the password (a stolen session is not enough)
  const dave = await userToken(request, 'dave');
  const bare = await request.post('/api/bastion/mfa/enrol', {
    headers: { Authorization: `Bearer ${dave}` },
    data: {},
  });
  expect(bare.status()).toBe(400);

  await signIn(page, 'dave');
  await page.goto('/bastion');
  await page.getByRole('tab', { name: 'Two-factor' }).click();
  const setUp = page.getByRole('button', { name: 'Set up' });
  const reset = await request.post('/api/bastion/mfa/admin-reset', {
    headers: { Authorization: `Bearer ${alice}` },
    data: { userRef: 'user:default/dave' },
  });
  expect([204, 404]).toContain(reset.status());
  await page.reload();
  await page.getByRole('tab', { name: 'Two-factor' }).click();
  await expect(setUp).toBeDisabled();
  await page.getByLabel('Your sign-in password').fill('not-daves-password');
  await setUp.click();
  await expect(page.getByText(/Your password is not correct/)).toBeVisible();
  await expect(page.getByRole('img', { name: 'TOTP QR code' })).toHaveCount(0);
  await page.getByLabel('Your sign-in password').fill(DEMO_PASSWORD);
  await setUp.click();
  await expect(page.getByRole('img', { name: 'TOTP QR code' })).toBeVisible();
});
