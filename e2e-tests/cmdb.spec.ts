import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { signIn, waitForDemoGroups } from './helpers';

// scripts/test.sh starts six real sshd hosts on 127.0.0.1:22301-22306 (the demo
// hosts' addresses) and passes the test user's private key in this variable.
const keyFile = process.env.OPSDECK_E2E_SSH_KEY;

test('an admin stores the SSH key, registers a host through the template and sees its facts', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  expect(
    keyFile,
    'OPSDECK_E2E_SSH_KEY must name the sshd test key',
  ).toBeTruthy();
  const privateKey = fs.readFileSync(keyFile!, 'utf8');
  // the owner picker reads the groups once, when the dialog's page opens
  await waitForDemoGroups(request);

  await signIn(page, 'alice');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });

  // 1. The key goes into the vault through the Credentials page; it is never shown again.
  await nav.getByRole('link', { name: 'Credentials' }).click();
  await page.getByRole('button', { name: 'Add credential' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /^Name/ }).fill('e2e-ui-ssh');
  await dialog.getByRole('textbox', { name: /^Username/ }).fill('opsdeck');
  // whom it serves: ops' hosts, for SSH logins (groups are picked from the catalog)
  const ownerGroup = dialog.getByLabel(/^Owner group/);
  await ownerGroup.click();
  await ownerGroup.fill('Oper');
  await page
    .getByRole('option', { name: /Operations/ })
    .first()
    .click();
  await dialog.getByRole('checkbox', { name: 'SSH login' }).check();
  await dialog.getByRole('textbox', { name: /^Private key/ }).fill(privateKey);
  await dialog.getByRole('button', { name: 'Save' }).click();
  const credentials = page.getByRole('table');
  await expect(credentials.getByText('e2e-ui-ssh')).toBeVisible();
  // other specs may have stored credentials too (ops-ssh): look at this one's row
  await expect(
    credentials.getByRole('row', { name: /e2e-ui-ssh/ }).getByText(/SHA256:/),
  ).toBeVisible();
  await expect(page.getByText('PRIVATE KEY')).toHaveCount(0);

  // 2. Register a new host through the "Register hosts" template.
  await page.goto('/create');
  await expect(page.getByText('Register hosts').first()).toBeVisible();
  await page.goto('/create/templates/default/register-hosts');
  await page
    .getByRole('textbox', { name: /^Hosts/ })
    .fill('e2e-host-1 127.0.0.1:22306');
  await page.getByRole('button', { name: 'Next' }).click();
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.fill('group:default/ops');
  await owner.press('Tab');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('textbox', { name: /^Credential/ }).fill('e2e-ui-ssh');
  await page.getByRole('textbox', { name: /^Login user/ }).fill('opsdeck');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByText(/e2e-host-1/).first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText(/failed/i)).toHaveCount(0);

  // 3. The host is in the CMDB's host list ...
  await page.goto('/hosts');
  const hosts = page.getByRole('table');
  await expect(hosts.getByRole('link', { name: 'e2e-host-1' })).toBeVisible({
    timeout: 30_000,
  });

  // 4. ... and in the catalog, where its facts are collected over SSH.
  await expect(async () => {
    await page.goto('/catalog/default/resource/e2e-host-1');
    await expect(page.getByRole('button', { name: 'Collect now' })).toBeVisible(
      { timeout: 5_000 },
    );
  }).toPass({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Collect now' }).click();
  await expect(page.getByText(/Debian/).first()).toBeVisible({
    timeout: 60_000,
  });
});
