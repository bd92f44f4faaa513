import { expect, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  fill,
  openHosts,
  signIn,
  userToken,
} from './helpers';
// the Hosts page's Chinese (keys of cmdbTranslationRef)
import zhCN from '../plugins/cmdb/src/translation/zhCN';

// "Collect all / selected" on the Hosts page (plugins/cmdb). The demo hosts
// (examples/entities.yaml) are the sshd test hosts on 127.0.0.1:22301-22306
// that scripts/test.sh starts; they log in with the vault credential ops-ssh.

test('an ops user collects all hosts and a selection, in English and Chinese', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  await signIn(page, 'bob');
  await openHosts(page, 'Collect all');

  await page.getByRole('button', { name: 'Collect all' }).click();
  const results = page.getByTestId('collect-results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('status')).toContainText(
    /Collected \d+ hosts: \d+ reachable, \d+ unreachable/,
  );
  for (const name of ['pay-app-01', 'web-02', 'build-01']) {
    await expect(
      results.getByText(`${name}: reachable`, { exact: true }),
    ).toBeVisible();
  }
  // the table shows the fresh facts
  await expect(
    page.getByTestId('host-row').filter({ hasText: 'pay-app-01' }),
  ).toContainText('Reachable');

  // a selection: only the picked host is collected
  await page.getByRole('checkbox', { name: 'Select web-01' }).check();
  await page.getByRole('button', { name: 'Collect selected (1)' }).click();
  await expect(page.getByRole('status')).toHaveText(
    /Collected 1 hosts: 1 reachable, 0 unreachable\s*web-01: reachable/,
    { timeout: 60_000 },
  );

  // zh-CN: the same buttons and results in Chinese
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: /中文/ }).click();
  await openHosts(page, zhCN['collect.all']);
  await page
    .getByRole('checkbox', {
      name: fill(zhCN['collect.selectHost'], { name: 'gw-01' }),
    })
    .check();
  await page
    .getByRole('button', {
      name: fill(zhCN['collect.selected'], { count: '1' }),
    })
    .click();
  await expect(page.getByRole('status')).toContainText(
    fill(zhCN['collect.done'], {
      hosts: '1',
      reachable: '1',
      unreachable: '0',
    }),
    { timeout: 60_000 },
  );
  await expect(page.getByTestId('collect-results')).toHaveText(
    fill(zhCN['collect.hostReachable'], { name: 'gw-01' }),
  );
});

test('a viewer sees no collect buttons and the API refuses', async ({
  page,
  request,
}) => {
  await signIn(page, 'erin');
  await page.goto('/hosts');
  await expect(page.getByTestId('host-row').first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: 'Collect all' })).toHaveCount(
    0,
  );
  const refused = await request.post('/api/cmdb/collect', {
    headers: { Authorization: `Bearer ${await userToken(request, 'erin')}` },
    data: {},
  });
  expect(refused.status()).toBe(403);
});
