import { expect, Page, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// Issue #14 item 2 in the browser: an admin sets a credential's policy from catalog choices, and
// accepts a host key offered at first contact (a password login sends nothing before), in English
// and in Simplified Chinese. The host-key part uses the demo sshd hosts (127.0.0.1:22301-22306)
// under the name `localhost`, so no other spec has pinned their keys under that id.

const run = Date.now().toString(36);

/** Switches the signed-in user's interface language in Settings. */
async function language(page: Page, from: string, to: string) {
  await page.goto('/settings');
  await page.getByRole('button', { name: from }).click();
  await page.getByRole('option', { name: to }).click();
}

/** Picks `option` in the autocomplete labelled `label`. */
async function pick(page: Page, label: RegExp, typed: string, option: RegExp) {
  const input = page.getByRole('dialog').getByLabel(label);
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: option }).first().click();
}

test('an admin adds a password with a policy and narrows it (en)', async ({
  page,
}) => {
  const name = `e2e-policy-${run}`;
  await signIn(page, 'alice');
  await page.goto('/credentials');
  await page.getByRole('button', { name: 'Add credential' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
  await dialog.getByLabel('Type').click();
  await page.getByRole('option', { name: 'Password' }).click();
  await dialog.getByRole('textbox', { name: /^Username/ }).fill('postgres');
  await pick(page, /^Owner group/, 'Data', /Database administration/);
  await dialog.getByRole('checkbox', { name: 'Database admin' }).check();
  await dialog.getByRole('checkbox', { name: 'Database reads' }).check();
  await pick(page, /^Systems/, 'Pay', /Payments/);
  await dialog.locator('input[type="password"]').fill(`pw-${run}`);
  await dialog.getByRole('button', { name: 'Save' }).click();

  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row.getByText('group:default/dba')).toBeVisible();
  await expect(row.getByText('Database admin')).toBeVisible();
  await expect(row.getByText('Database reads')).toBeVisible();
  await expect(
    row.getByText('systems system:default/payments · any environment'),
  ).toBeVisible();
  await expect(page.getByText(`pw-${run}`)).toHaveCount(0);

  // narrow it: admin use only, production only
  await row.getByRole('button', { name: 'Policy' }).click();
  await expect(dialog.getByText(`Policy of ${name}`)).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'Database reads' }).uncheck();
  await pick(page, /^Environments/, 'pro', /^prod$/);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByText('Database reads')).toHaveCount(0);
  await expect(
    row.getByText('systems system:default/payments · environments prod'),
  ).toBeVisible();

  // the change is in the audit log, with alice as the actor
  const audit = await page.request.get(
    `/api/audit/events?target=${encodeURIComponent(
      `vault:credential/${name}`,
    )}`,
    {
      headers: {
        Authorization: `Bearer ${await userToken(page.request, 'alice')}`,
      },
    },
  );
  expect(audit.status()).toBe(200);
  const events = (await audit.json()).items as {
    action: string;
    actor: string;
    status: string;
  }[];
  expect(events).toContainEqual(
    expect.objectContaining({
      action: 'vault-credential-policy-update',
      actor: 'user:default/alice',
      status: 'succeeded',
    }),
  );
});

test('an admin sets a credential policy in Simplified Chinese', async ({
  page,
  request,
}) => {
  const name = `e2e-policy-zh-${run}`;
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: {
      name,
      type: 'password',
      secret: `pw-zh-${run}`,
      owner: 'ops',
      allowedUses: [],
    },
  });
  expect(created.status()).toBe(201);

  await signIn(page, 'alice');
  await language(page, 'English', '简体中文');
  try {
    await page.goto('/credentials');
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(
      row.getByText('在管理员设置所属用户组和用途之前不可使用'),
    ).toBeVisible();
    await row.getByRole('button', { name: '策略' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByText(`${name} 的策略`)).toBeVisible();
    await dialog.getByRole('checkbox', { name: '作业机密' }).check();
    await pick(page, /^环境/, 'tes', /^test$/);
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(row.getByText('作业机密')).toBeVisible();
    await expect(row.getByText('任意系统 · 环境 test')).toBeVisible();
  } finally {
    await language(page, '简体中文', 'English');
  }
  const after = await request.get(`/api/vault/credentials/${name}`, {
    headers,
  });
  expect(await after.json()).toMatchObject({
    owner: 'group:default/ops',
    allowedUses: ['job-secret'],
    allowedEnvironments: ['test'],
  });
});

/**
 * Registers a host at a demo sshd as bob with a password credential of ops: the first contact
 * records the offered key and sends nothing.
 */
async function pendingHost(
  request: Page['request'],
  host: string,
  port: number,
) {
  const alice = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const bob = { Authorization: `Bearer ${await userToken(request, 'bob')}` };
  const credential = `e2e-pw-${run}`;
  const stored = await request.post('/api/vault/credentials', {
    headers: alice,
    data: {
      name: credential,
      type: 'password',
      username: 'opsdeck',
      secret: `never-sent-${run}`,
      owner: 'ops',
      allowedUses: ['ssh-login'],
    },
  });
  expect([201, 409]).toContain(stored.status());
  const registered = await request.post('/api/cmdb/hosts', {
    headers: bob,
    data: {
      hosts: [
        {
          name: host,
          address: 'localhost',
          port,
          credential,
          environment: 'test',
          owner: 'ops',
        },
      ],
      checkReachability: true,
    },
  });
  expect(registered.status()).toBe(200);
  const [result] = (await registered.json()).results;
  expect(result).toMatchObject({ status: 'created' });
  expect(result.message).toMatch(/is not accepted yet/);
  const key = await request.get(`/api/cmdb/hosts/${host}/host-key`, {
    headers: bob,
  });
  const body = await key.json();
  expect(body.fingerprint).toBeUndefined();
  return body.pending.fingerprint as string;
}

/** Opens a host's catalog page once the catalog has it. */
async function openHost(page: Page, host: string, card: RegExp) {
  await expect(async () => {
    await page.goto(`/catalog/default/resource/${host}`);
    await expect(page.getByTestId('host-key-pending')).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });
  await expect(page.getByTestId('host-key-pending')).toContainText(card);
}

test('an admin accepts a host key offered at first contact, in English and Chinese', async ({
  page,
  request,
}) => {
  // API calls go through the test's own request context: page.request shares
  // the page's cookies, so signing bob in there would sign the page in as bob
  test.setTimeout(240_000);
  const en = `e2e-pending-${run}`;
  const zh = `e2e-pending-zh-${run}`;
  const enKey = await pendingHost(request, en, 22305);
  const zhKey = await pendingHost(request, zh, 22304);

  await signIn(page, 'alice');
  await openHost(page, en, /The host offered/);
  const pending = page.getByTestId('host-key-pending');
  await expect(pending).toContainText(enKey);
  await pending.getByRole('button', { name: 'Accept key' }).click();
  await expect(page.getByText('Host key accepted and pinned.')).toBeVisible();
  await expect(
    page.getByTestId('host-key').getByText(enKey, { exact: true }),
  ).toBeVisible();

  await language(page, 'English', '简体中文');
  try {
    await openHost(page, zh, /主机在首次连接时/);
    await expect(pending).toContainText(zhKey);
    await pending.getByRole('button', { name: '确认密钥' }).click();
    await expect(page.getByText('主机密钥已确认并固定。')).toBeVisible();
  } finally {
    await language(page, '简体中文', 'English');
  }

  // both pins are in place, and the acceptances are audited with alice as actor
  const bob = {
    Authorization: `Bearer ${await userToken(request, 'bob')}`,
  };
  for (const [host, key] of [
    [en, enKey],
    [zh, zhKey],
  ]) {
    const res = await request.get(`/api/cmdb/hosts/${host}/host-key`, {
      headers: bob,
    });
    expect(await res.json()).toMatchObject({ fingerprint: key });
  }
});
