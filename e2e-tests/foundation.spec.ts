import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { signIn, signInWithForm, userToken, DEMO_PASSWORD } from './helpers';

test('a developer signs in, browses the demo hosts in the catalog', async ({
  page,
}) => {
  await signInWithForm(page, 'dave');
  await expect(page).toHaveTitle(/opsdeck/);
  await page.goto('/catalog?filters[kind]=resource&filters[user]=all');
  const hosts = page.getByRole('table');
  await expect(hosts.getByRole('link', { name: 'pay-app-01' })).toBeVisible();
  await expect(hosts.getByRole('link', { name: 'pay-db-main' })).toBeVisible();
  await hosts.getByRole('link', { name: 'pay-app-01' }).click();
  await expect(page.getByText('prod host in payments').first()).toBeVisible();
});

test('an admin sees sign-ins on the Audit page and filters by user', async ({
  page,
}) => {
  await signIn(page, 'alice');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Audit log' })
    .click();
  await expect(page).toHaveURL(/\/audit/);
  const table = page.getByRole('table');
  await expect(table.getByTestId('audit-row').first()).toBeVisible();
  await page.getByLabel('User').fill('alice');
  await page.getByRole('button', { name: 'Apply' }).click();
  // her sign-in a moment ago is among her newest events (after the other
  // specs, everyone's newest page may be full of other actions)
  await expect(table.getByText('account-login').first()).toBeVisible();
  // The User column (2nd) holds only alice now (its first line: a second one
  // may say on whose behalf); other columns may name bob (e.g. the target of
  // an admin action).
  const users = table.locator('tbody tr td:nth-child(2) > div:first-child');
  await expect(users.first()).toBeVisible();
  expect(new Set(await users.allInnerTexts())).toEqual(
    new Set(['user:default/alice']),
  );
});

test('an admin investigates a denial: filters by user and outcome, opens the details, exports CSV', async ({
  page,
  playwright,
  baseURL,
}) => {
  // victor has no role: the jobs API refuses him, and the 403 is audited.
  const visitor = await playwright.request.newContext({ baseURL });
  const token = await userToken(visitor, 'victor');
  const refused = await visitor.get('/api/jobs/jobs', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(refused.status()).toBe(403);
  await visitor.dispose();

  await signIn(page, 'alice');
  await page.goto('/audit');
  await page.getByLabel('User').fill('user:default/victor');
  await page.getByRole('button', { name: /^Outcome/ }).click();
  await page.getByRole('option', { name: 'Denied' }).click();
  await page.getByRole('button', { name: 'Apply' }).click();
  const table = page.getByRole('table');
  const users = table.locator('tbody tr td:nth-child(2) > div:first-child');
  await expect(users.first()).toHaveText('user:default/victor');
  expect(new Set(await users.allInnerTexts())).toEqual(
    new Set(['user:default/victor']),
  );

  // A row opens its details: who, outcome, target, and the metadata.
  await page.getByTestId('audit-row').first().click();
  const details = page.getByRole('dialog', { name: 'Audit event' });
  await expect(details.getByText('Audit event').first()).toBeVisible();
  await expect(details.getByText('user:default/victor').first()).toBeVisible();
  await expect(details.getByText('Denied').first()).toBeVisible();
  await expect(
    details.getByText('Details (secrets are never recorded)'),
  ).toBeVisible();
  await details.getByRole('button', { name: 'Close' }).click();
  await expect(details).toHaveCount(0);

  // The export holds the filtered events only.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('audit-events.csv');
  const lines = readFileSync((await download.path())!, 'utf8')
    .split(/\r?\n/)
    .filter(Boolean);
  expect(lines[0]).toMatch(/^id,time,outcome,actor,via,action,plugin,target,/);
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) {
    expect(line.split(',').slice(2, 4)).toEqual([
      'denied',
      'user:default/victor',
    ]);
  }
});

test('a developer has no access to the audit log', async ({ page }) => {
  await signIn(page, 'frank');
  await page.goto('/audit');
  await expect(page.getByText(/permission/i).first()).toBeVisible();
});

test('wrong passwords lock the account, even against the right one; an admin unlocks it', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.goto('/');
  const answers: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill(`wrong-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toBeVisible();
    answers.push(await alert.innerText());
  }
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // One answer for an unknown user, a wrong password and a locked account.
  await expect(page.getByRole('alert')).toHaveText(
    /Invalid username or password, or too many failed sign-ins/,
  );
  expect(new Set(answers)).toEqual(
    new Set([await page.getByRole('alert').innerText()]),
  );
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }),
  ).toHaveCount(0);

  // An admin unlocks the account (later specs sign in as bob).
  const token = await userToken(request, 'alice');
  const unlocked = await request.post('/api/local-auth/accounts/bob/unlock', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(unlocked.status()).toBe(204);
  await signIn(page, 'bob');
});

test('the interface switches to Simplified Chinese in settings', async ({
  page,
}) => {
  await signIn(page, 'bob');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(nav.getByRole('link', { name: 'Audit log' })).toBeVisible();
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  // opsdeck's own text now comes from the zh-CN messages.
  await expect(nav.getByRole('link', { name: '审计日志' })).toBeVisible();
  await page.goto('/');
  await expect(
    page
      .getByText('欢迎使用 opsdeck')
      .or(page.getByText('查看审计日志'))
      .first(),
  ).toBeVisible();
});

test.describe('API access control', () => {
  test('opsdeck routes refuse unauthenticated calls with 401', async ({
    request,
  }) => {
    for (const path of [
      '/api/audit/events',
      '/api/audit/facets',
      '/api/local-auth/accounts',
    ]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(401);
    }
  });

  test('a viewer gets 403 on any change and a developer cannot read the audit log', async ({
    playwright,
    baseURL,
  }) => {
    const viewer = await playwright.request.newContext({ baseURL });
    const token = await userToken(viewer, 'erin');
    const auth = { Authorization: `Bearer ${token}` };
    const change = await viewer.put('/api/local-auth/accounts/erin/password', {
      headers: auth,
      data: { password: 'a-much-longer-password' },
    });
    expect(change.status()).toBe(403);
    const unlock = await viewer.post('/api/local-auth/accounts/bob/unlock', {
      headers: auth,
    });
    expect(unlock.status()).toBe(403);
    const host = await viewer.get(
      '/api/catalog/entities/by-name/resource/default/pay-app-01',
      {
        headers: auth,
      },
    );
    expect(host.status()).toBe(200);
    const { uid } = (await host.json()).metadata;
    const deleteHost = await viewer.delete(
      `/api/catalog/entities/by-uid/${uid}`,
      { headers: auth },
    );
    expect(deleteHost.status()).toBe(403);
    // Security (viewer) may read the audit log.
    const read = await viewer.get('/api/audit/events?limit=5', {
      headers: auth,
    });
    expect(read.status()).toBe(200);
    await viewer.dispose();

    const dev = await playwright.request.newContext({ baseURL });
    const devToken = await userToken(dev, 'dave');
    const denied = await dev.get('/api/audit/events', {
      headers: { Authorization: `Bearer ${devToken}` },
    });
    expect(denied.status()).toBe(403);
    await dev.dispose();
  });
});
