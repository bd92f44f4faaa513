import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  setLanguage,
  signIn,
  userToken,
} from './helpers';
// the pages' Chinese (keys of the translation refs)
import cmdbZh from '../plugins/cmdb/src/translation/zhCN';

// Host groups and bulk actions on the Hosts page (plugins/cmdb): group by
// environment, select a group, collect it, open terminals on the selection in
// the bastion's My assets tabs, and hand it to the jobs' "Run a command".
// The demo hosts are the sshd test hosts; bob (ops) is granted web-02
// (staging) and build-01 (dev), neither needing a TOTP step-up.

const fill = (message: string, values: Record<string, string>) =>
  Object.entries(values).reduce(
    (s, [k, v]) => s.replace(`{{${k}}}`, v),
    message,
  );

async function grant(request: APIRequestContext, user: string, host: string) {
  const res = await request.post('/api/bastion/grants', {
    headers: { Authorization: `Bearer ${await userToken(request, 'alice')}` },
    data: {
      subject: `user:default/${user}`,
      selector: { host },
      loginUser: 'opsdeck',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'e2e host groups',
    },
  });
  expect(res.status()).toBe(201);
}

async function openHosts(page: Page) {
  await page.goto('/hosts');
  await expect(page.getByTestId('host-row').first()).toBeVisible({
    timeout: 60_000,
  });
}

async function groupBy(page: Page, label: string, option: string) {
  await page.getByLabel(label).click();
  await page.getByRole('option', { name: option }).click();
}

const groupRow = (page: Page, name: string) =>
  page.getByTestId('host-group').and(page.locator(`[aria-label="${name}"]`));

test('an ops user groups hosts by environment, collects a group and opens two terminals in tabs', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  await grant(request, 'bob', 'web-02');
  await grant(request, 'bob', 'build-01');
  await signIn(page, 'bob');
  await openHosts(page);

  await groupBy(page, 'Group by', 'Environment');
  await expect(page.getByTestId('host-group')).toHaveCount(3);
  for (const env of ['dev', 'prod', 'staging']) {
    await expect(groupRow(page, env)).toBeVisible();
  }
  await expect(groupRow(page, 'prod')).toContainText(/4 hosts · \d+ reachable/);

  // select the staging group and collect it
  await page
    .getByRole('checkbox', { name: 'Select every host of staging' })
    .check();
  await expect(
    page.getByRole('checkbox', { name: 'Select web-02' }),
  ).toBeChecked();
  await page.getByRole('button', { name: 'Collect selected (1)' }).click();
  await expect(page.getByRole('status')).toHaveText(
    /Collected 1 hosts: 1 reachable, 0 unreachable\s*web-02: reachable/,
    { timeout: 60_000 },
  );
  await expect(groupRow(page, 'staging')).toContainText(
    '1 hosts · 1 reachable · 0 unreachable',
  );

  // collapse hides a group's hosts
  await page.getByRole('button', { name: 'Collapse prod' }).click();
  await expect(page.getByTestId('host-row')).toHaveCount(2);
  await page.getByRole('button', { name: 'Expand prod' }).click();

  // the dev group too, and gw-01 (no grant for bob): two terminals open in tabs
  await page
    .getByRole('checkbox', { name: 'Select every host of dev' })
    .check();
  await page.getByRole('checkbox', { name: 'Select gw-01' }).check();

  // "Run a command" hands the selection to the jobs' ad-hoc dialog
  await page.getByRole('button', { name: 'Run a command (3)' }).click();
  await expect(page).toHaveURL(/\/jobs/);
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Run a command on hosts')).toBeVisible();
  for (const name of ['web-02', 'build-01', 'gw-01']) {
    await expect(dialog.getByText(name, { exact: true })).toBeVisible();
  }
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.goBack();
  await expect(page).toHaveURL(/\/hosts/);
  await openHosts(page);
  for (const name of ['web-02', 'build-01', 'gw-01']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }

  await page.getByRole('button', { name: 'Open terminals (3)' }).click();
  await expect(page).toHaveURL(/\/bastion\/assets$/);
  await expect(page.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tab', { name: /web-02/ })).toBeVisible();
  await expect(page.getByRole('tab', { name: /build-01/ })).toBeVisible();
  await expect(page.getByTestId('terminals-refused')).toContainText('gw-01');
  await expect(
    page.getByRole('tabpanel').getByTestId('terminal-status'),
  ).toContainText(/Connected as opsdeck/, { timeout: 30_000 });
});

test('in Chinese: group by environment, select a group, collect and open its terminal', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  await grant(request, 'bob', 'web-02');
  await signIn(page, 'bob');
  await setLanguage(page, 'zh-CN');
  await openHosts(page);

  await groupBy(
    page,
    cmdbZh['groups.by'],
    cmdbZh['groups.options.environment'],
  );
  await expect(page.getByTestId('host-group')).toHaveCount(3);
  await page
    .getByRole('checkbox', {
      name: fill(cmdbZh['groups.select'], { group: 'staging' }),
    })
    .check();
  await page
    .getByRole('button', {
      name: fill(cmdbZh['collect.selected'], { count: '1' }),
    })
    .click();
  await expect(page.getByRole('status')).toContainText(
    fill(cmdbZh['collect.done'], {
      hosts: '1',
      reachable: '1',
      unreachable: '0',
    }),
    { timeout: 60_000 },
  );
  await expect(groupRow(page, 'staging')).toContainText(
    fill(cmdbZh['groups.counts'], {
      hosts: '1',
      reachable: '1',
      unreachable: '0',
    }),
  );
  await expect(
    page.getByRole('button', {
      name: fill(cmdbZh['bulk.runCommand'], { count: '1' }),
    }),
  ).toBeEnabled();
  await page
    .getByRole('button', {
      name: fill(cmdbZh['bulk.openTerminals'], { count: '1' }),
    })
    .click();
  await expect(page).toHaveURL(/\/bastion\/assets$/);
  await expect(page.getByRole('tab', { name: /web-02/ })).toBeVisible();
  await expect(page.getByTestId('terminals-refused')).toHaveCount(0);
});

test('a viewer sees the groups but no bulk actions', async ({ page }) => {
  await signIn(page, 'erin');
  await openHosts(page);
  await groupBy(page, 'Group by', 'System');
  await expect(page.getByTestId('host-group').first()).toBeVisible();
  await expect(page.getByTestId('host-group')).not.toHaveCount(0);
  await expect(page.getByTestId('collect-hosts')).toHaveCount(0);
  await expect(page.getByTestId('bulk-actions')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Run a command/ })).toHaveCount(
    0,
  );
  await expect(
    page.getByRole('button', { name: /Open terminals/ }),
  ).toHaveCount(0);
});
