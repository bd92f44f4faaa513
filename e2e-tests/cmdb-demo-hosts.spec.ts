import { expect, test, type Page } from '@playwright/test';
import { ensureDemoSshCredential, signIn, userToken } from './helpers';

// The demo catalog's hosts (examples/entities.yaml) point at the sshd test hosts on
// 127.0.0.1:22301-22306 that scripts/test.sh starts; pay-app-01 is 127.0.0.1:22301.

/** Opens a host's catalog page once the CMDB has indexed it (the card can collect). */
async function openHostPage(page: Page, name: string) {
  await expect(async () => {
    await page.goto(`/catalog/default/resource/${name}`);
    await expect(page.getByRole('button', { name: 'Collect now' })).toBeEnabled(
      { timeout: 5_000 },
    );
  }).toPass({ timeout: 120_000 });
}

test('a demo catalog host shows live facts and its pinned SSH host key', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  await signIn(page, 'alice');
  await openHostPage(page, 'pay-app-01');

  await page.getByRole('button', { name: 'Collect now' }).click();
  await expect(page.getByText('Facts collected.')).toBeVisible({
    timeout: 60_000,
  });
  // a row's text starts with its label ("Address" must not match "IP addresses")
  const fact = (label: string) =>
    page.getByTestId('host-fact').filter({ hasText: new RegExp(`^${label}`) });
  await expect(fact('Address')).toContainText('127.0.0.1:22301');
  await expect(fact('Address')).toContainText('Reachable');
  await expect(fact('OS')).toContainText(/Debian|Linux/);
  await expect(fact('Kernel')).toContainText(/\d+\.\d+/);
  // the sshd test hosts share the machine's network: its addresses, whatever they are
  await expect(fact('IP addresses')).toContainText(/\d+\.\d+\.\d+\.\d+|::/);
  await expect(fact('Uptime')).not.toContainText('Unknown');

  // The first connection pinned the host key; an admin can forget it, and the
  // next collection connects afresh and pins the key the host presents.
  const hostKey = page.getByTestId('host-key');
  await expect(hostKey.locator('code')).toHaveText(/^SHA256:\S+$/);
  const pinned = (await hostKey.locator('code').textContent())!;
  await hostKey.getByRole('button', { name: 'Forget host key' }).click();
  await expect(
    page.getByText('Forget the host key pinned for [127.0.0.1]:22301?', {
      exact: false,
    }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Forget key' }).click();
  await expect(
    page.getByText('Host key forgotten.', { exact: false }),
  ).toBeVisible();
  await expect(
    page.getByText(
      'Not pinned yet: a key login pins the first key the host presents; a password login waits for an admin to accept it.',
    ),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Collect now' }).click();
  await expect(hostKey.locator('code')).toHaveText(pinned, {
    timeout: 60_000,
  });
  // the reset is in the host's recent activity (from the audit log, newest first)
  await expect(page.getByTestId('host-activity').first()).toContainText(
    'host-key-reset',
  );

  // only admins may forget a pin: bob (ops) is refused
  const bob = await userToken(request, 'bob');
  const refused = await request.delete('/api/cmdb/hosts/pay-app-01/host-key', {
    headers: { Authorization: `Bearer ${bob}` },
  });
  expect(refused.status()).toBe(403);
});

test('an admin decommissions a host through the "Decommission host" template', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const name = `e2e-decom-${Date.now().toString(36)}`;
  const token = await userToken(request, 'alice');
  const headers = { Authorization: `Bearer ${token}` };
  const registered = await request.post('/api/cmdb/hosts', {
    headers,
    data: {
      hosts: [
        {
          name,
          address: '127.0.0.1',
          port: 22305,
          environment: 'test',
          owner: 'group:default/ops',
        },
      ],
    },
  });
  expect(registered.status()).toBe(200);
  expect((await registered.json()).results[0].status).toBe('created');

  await signIn(page, 'alice');
  // wait for the catalog to have the host (the template's picker lists catalog hosts)
  await expect(async () => {
    const res = await request.get(
      `/api/catalog/entities/by-name/resource/default/${name}`,
      { headers },
    );
    expect(res.status()).toBe(200);
  }).toPass({ timeout: 120_000 });

  await page.goto('/create/templates/default/decommission-host');
  const picker = page.getByRole('textbox', { name: /^Host/ });
  await picker.fill(name);
  await page.getByRole('option', { name: new RegExp(name) }).click();
  await page
    .getByRole('textbox', { name: /^Reason/ })
    .fill('Replaced by new hardware (browser test)');
  await page.getByRole('checkbox', { name: /I understand/ }).check();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(
    page.getByText(`resource:default/${name} was removed from the CMDB`, {
      exact: false,
    }),
  ).toBeVisible({ timeout: 60_000 });

  const gone = await request.get(`/api/cmdb/hosts/${name}`, { headers });
  expect(gone.status()).toBe(404);
  // and out of the catalog (a delta removal from the CMDB's entity provider)
  await expect(async () => {
    const res = await request.get(
      `/api/catalog/entities/by-name/resource/default/${name}`,
      { headers },
    );
    expect(res.status()).toBe(404);
  }).toPass({ timeout: 60_000 });
});
