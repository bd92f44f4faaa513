import { createHmac } from 'node:crypto';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  DEMO_PASSWORD,
  ensureDemoSshCredential,
  signIn,
  userToken,
} from './helpers';

// The demo hosts (examples/entities.yaml) are real sshd servers on 127.0.0.1:22301-22306.
// pay-app-01 is prod (TOTP step-up required), web-02 is staging.

/** RFC 6238 code of a base32 secret, as an authenticator app computes it. */
function totpCode(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map(b => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(
    6,
    '0',
  );
}

async function asAlice(request: APIRequestContext) {
  return { Authorization: `Bearer ${await userToken(request, 'alice')}` };
}

async function grant(
  request: APIRequestContext,
  subject: string,
  host: string,
) {
  const res = await request.post('/api/bastion/grants', {
    headers: await asAlice(request),
    data: {
      subject,
      selector: { host },
      loginUser: 'opsdeck',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'e2e',
    },
  });
  expect(res.status()).toBe(201);
  return res.json();
}

/** The visible text of the page's terminal. */
function terminalText(page: Page) {
  return page.getByTestId('bastion-terminal').locator('.xterm-rows');
}

async function openTerminal(page: Page, host: string) {
  await page.goto(`/bastion/hosts/${host}`);
  await expect(page.getByTestId('terminal-status')).toContainText(
    'Connected as opsdeck',
    { timeout: 30_000 },
  );
  await page.getByTestId('bastion-terminal').click();
  await expect(terminalText(page)).toContainText('$', { timeout: 15_000 });
}

test('a user enrols TOTP, runs commands on a prod host, is refused a blocked command, and replays the session', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await ensureDemoSshCredential(request);
  const headers = await asAlice(request);
  const rule = await request.post('/api/bastion/rules', {
    headers,
    data: {
      name: 'e2e no reboot',
      pattern: '^\\s*(sudo\\s+)?reboot\\b',
      action: 'reject',
      priority: 1,
    },
  });
  expect(rule.status()).toBe(201);
  await grant(request, 'user:default/bob', 'pay-app-01');
  // bob enrols afresh even when an earlier run against this backend enrolled him
  const fresh = await request.post('/api/bastion/mfa/admin-reset', {
    headers,
    data: { userRef: 'user:default/bob' },
  });
  expect([204, 404]).toContain(fresh.status());

  await signIn(page, 'bob');
  // TOTP enrolment: the secret is shown once with its QR code; the first code confirms it.
  await page.goto('/bastion');
  await page.getByRole('tab', { name: 'Two-factor' }).click();
  // (re-)enrolment asks for the sign-in password
  await page.getByLabel('Your sign-in password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Set up' }).click();
  await expect(page.getByRole('img', { name: 'TOTP QR code' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page
    .getByRole('textbox', { name: 'Authenticator code' })
    .fill(totpCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('Code accepted.')).toBeVisible();

  await openTerminal(page, 'pay-app-01');
  await page.keyboard.type('echo bastion-$((40+2))');
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText('bastion-42');
  // UTF-8 output (Chinese), printed from octal escapes so that no IME is needed to type it
  await page.keyboard.type("printf '\\344\\275\\240\\345\\245\\275\\n'");
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText('你好');

  await page.keyboard.type('reboot');
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText(
    'Command refused by rule "e2e no reboot"',
  );
  await page.keyboard.type('echo after-$((1+1))');
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText('after-2');

  // Leaving the page ends the session; it is listed with its recording.
  await page.goto('/bastion');
  const row = page.getByRole('row').filter({ hasText: 'pay-app-01' }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('The browser disconnected');
  await row.getByRole('link', { name: 'Replay' }).click();
  await page.getByRole('button', { name: /Speed/ }).click();
  await page.getByRole('option', { name: '8×' }).click();
  await expect(
    page.getByTestId('bastion-replay').locator('.xterm-rows'),
  ).toContainText('bastion-42', { timeout: 30_000 });
  await expect(
    page.getByTestId('bastion-replay').locator('.xterm-rows'),
  ).toContainText('你好', { timeout: 30_000 });
  await expect(
    page.getByTestId('bastion-replay').locator('.xterm-rows'),
  ).toContainText('Command refused', { timeout: 30_000 });

  // The commands are searchable; the refused one is marked.
  const commands = await request.get('/api/bastion/commands?q=reboot', {
    headers,
  });
  const items = (await commands.json()).items as Array<{
    command: string;
    action: string;
    userRef: string;
  }>;
  expect(items).toContainEqual(
    expect.objectContaining({
      command: 'reboot',
      action: 'rejected',
      userRef: 'user:default/bob',
    }),
  );
});

test('an admin sees a live session and terminates it', async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  await ensureDemoSshCredential(request);
  await grant(request, 'user:default/frank', 'web-02');

  const frankContext = await browser.newContext();
  const frank = await frankContext.newPage();
  await signIn(frank, 'frank');
  // from the host's catalog page, through its "Open terminal" card
  await frank.goto('/catalog/default/resource/web-02');
  await frank.getByRole('button', { name: 'Open terminal' }).click();
  await expect(frank).toHaveURL(/\/bastion\/hosts\/web-02$/);
  await expect(frank.getByTestId('terminal-status')).toContainText(
    'Connected as opsdeck',
    { timeout: 30_000 },
  );
  await frank.getByTestId('bastion-terminal').click();
  await expect(terminalText(frank)).toContainText('$', { timeout: 15_000 });
  await frank.keyboard.type('echo frank-$((2*3))');
  await frank.keyboard.press('Enter');
  await expect(terminalText(frank)).toContainText('frank-6');

  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, 'alice');
  await alice.goto('/bastion');
  await alice.getByRole('tab', { name: 'Live sessions' }).click();
  const row = alice
    .getByRole('row')
    .filter({ hasText: 'frank' })
    .filter({ hasText: 'web-02' })
    .first();
  await expect(row).toBeVisible();
  // the idle time (since frank's last keystroke) and watcher count columns
  await expect(alice.getByRole('columnheader', { name: 'Idle' })).toBeVisible();
  await expect(
    alice.getByRole('columnheader', { name: 'Watchers' }),
  ).toBeVisible();
  await expect(
    row.getByRole('cell').filter({ hasText: /^\d+(s|m \d+s|h \d+m)$/ }),
  ).toHaveCount(1);
  await row.getByRole('button', { name: 'Terminate' }).click();

  await expect(frank.getByTestId('terminal-status')).toContainText(
    'Terminated by user:default/alice',
  );
  await expect(terminalText(frank)).toContainText(
    'Terminated by user:default/alice',
  );
  await frankContext.close();
  await aliceContext.close();
});

test('a user replaces their TOTP secret with a current code, and an admin resets it', async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const headers = await asAlice(request);
  // start from no enrolment, whatever an earlier run left (404 when there was none)
  const clean = await request.post('/api/bastion/mfa/admin-reset', {
    headers,
    data: { userRef: 'user:default/carol' },
  });
  expect([204, 404]).toContain(clean.status());

  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, 'carol');
  await carol.goto('/bastion');
  await carol.getByRole('tab', { name: 'Two-factor' }).click();
  await carol.getByLabel('Your sign-in password').fill(DEMO_PASSWORD);
  await carol.getByRole('button', { name: 'Set up' }).click();
  const old = (await carol.getByTestId('totp-secret').textContent())!.trim();
  await carol
    .getByRole('textbox', { name: 'Authenticator code' })
    .fill(totpCode(old));
  await carol.getByRole('button', { name: 'Verify' }).click();
  await expect(carol.getByText('Code accepted.')).toBeVisible();

  // self-service re-enrolment: a wrong code is refused, a current one (the next time step, as
  // the one just used cannot be replayed) shows a new QR code and secret
  const resetForm = carol.getByRole('form', {
    name: 'Set up a new authenticator',
  });
  await carol.getByLabel('Your sign-in password').fill(DEMO_PASSWORD);
  await resetForm
    .getByRole('textbox', { name: 'Current code' })
    .fill(totpCode(old, Date.now() + 3600_000));
  await resetForm.getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(carol.getByText('Wrong or already used code')).toBeVisible();
  await resetForm
    .getByRole('textbox', { name: 'Current code' })
    .fill(totpCode(old, Date.now() + 30_000));
  await resetForm.getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(
    carol.getByText('The old secret no longer works.'),
  ).toBeVisible();
  await expect(carol.getByRole('img', { name: 'TOTP QR code' })).toBeVisible();
  const renewed = (await carol
    .getByTestId('totp-secret')
    .textContent())!.trim();
  expect(renewed).not.toBe(old);
  await carol
    .getByRole('textbox', { name: 'Authenticator code' })
    .fill(totpCode(renewed));
  await carol.getByRole('button', { name: 'Verify' }).click();
  await expect(carol.getByText('Code accepted.')).toBeVisible();
  await expect(
    carol.getByText('Two-factor authentication is set up.'),
  ).toBeVisible();
  // carol (dba) may not reset others: the admin form is not offered
  await expect(
    carol.getByRole('form', { name: "Reset another user's two-factor" }),
  ).toHaveCount(0);

  // an admin resets carol's enrolment; she has to set it up again
  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, 'alice');
  await alice.goto('/bastion');
  await alice.getByRole('tab', { name: 'Two-factor' }).click();
  const adminForm = alice.getByRole('form', {
    name: "Reset another user's two-factor",
  });
  await adminForm
    .getByRole('textbox', { name: /^User/ })
    .fill('user:default/carol');
  await adminForm.getByRole('button', { name: 'Reset for this user' }).click();
  await expect(
    alice.getByText('Two-factor of user:default/carol was reset.'),
  ).toBeVisible();
  await carol.reload();
  await carol.getByRole('tab', { name: 'Two-factor' }).click();
  await expect(
    carol.getByText('Two-factor authentication is not set up.'),
  ).toBeVisible();
  await expect(carol.getByRole('button', { name: 'Set up' })).toBeVisible();

  // both resets are in the audit log
  for (const action of ['mfa-reset', 'mfa-admin-reset']) {
    const audit = await request.get(
      `/api/audit/events?plugin=bastion&action=${action}&status=succeeded&limit=20`,
      { headers },
    );
    expect(audit.status()).toBe(200);
    const events = (await audit.json()).items as Array<{
      actor: string;
      meta?: { userRef?: string };
    }>;
    expect(events).toContainEqual(
      expect.objectContaining({
        actor:
          action === 'mfa-reset' ? 'user:default/carol' : 'user:default/alice',
        meta: expect.objectContaining({ userRef: 'user:default/carol' }),
      }),
    );
  }
  await carolContext.close();
  await aliceContext.close();
});

test('an admin creates and revokes an access grant and a command rule in the tabs', async ({
  page,
}) => {
  test.setTimeout(90_000);
  // unique per run: other runs against the same backend leave their own rows
  const tag = `e2e-${Date.now().toString(36)}`;
  await signIn(page, 'alice');
  await page.goto('/bastion');

  await page.getByRole('tab', { name: 'Access grants' }).click();
  const grantForm = page.getByRole('form', { name: 'Access grants' });
  // the subject is picked from the catalog (searched by name), never typed as a ref
  await grantForm.getByRole('textbox', { name: /^Subject/ }).fill('erin');
  await page.getByRole('option', { name: /user:default\/erin/ }).click();
  await grantForm.getByRole('textbox', { name: /^Tag/ }).fill(tag);
  await grantForm.getByRole('textbox', { name: /^Reason/ }).fill('e2e tabs');
  await grantForm.getByRole('button', { name: 'Create' }).click();
  const grantRow = page.getByRole('row').filter({ hasText: `tag=${tag}` });
  await expect(grantRow).toContainText('user:default/erin');
  await expect(grantRow).toContainText('user:default/alice');
  await grantRow.getByRole('button', { name: 'Revoke' }).click();
  await expect(grantRow).toHaveCount(0);

  await page.getByRole('tab', { name: 'Command rules' }).click();
  await page.getByRole('textbox', { name: /^Name/ }).fill(`rule ${tag}`);
  await page.getByRole('textbox', { name: /^Pattern/ }).fill(`^${tag}\\b`);
  await page.getByRole('button', { name: 'Create' }).click();
  const ruleRow = page.getByRole('row').filter({ hasText: `rule ${tag}` });
  await expect(ruleRow).toContainText('Reject');
  await expect(ruleRow).toContainText('every host');
  await ruleRow.getByRole('button', { name: 'Delete' }).click();
  await expect(ruleRow).toHaveCount(0);

  // nobody ran a command with the tag: the search finds nothing
  await page.getByRole('tab', { name: 'Commands' }).click();
  const query = page.getByRole('textbox', { name: 'Command contains' });
  await query.fill(tag);
  await query.press('Enter');
  const commands = page.getByRole('table', { name: 'Commands' });
  await expect(commands.getByRole('row')).toHaveCount(1);
});

for (const lang of ['en', 'zh-CN'] as const) {
  test(`an admin grants access to a host picked from the catalog (${lang})`, async ({
    page,
  }) => {
    const text =
      lang === 'en'
        ? {
            tab: 'Access grants',
            subject: /^Subject/,
            host: 'Host',
            tag: /^Tag/,
            create: 'Create',
            revoke: 'Revoke',
          }
        : {
            tab: '访问授权',
            subject: /^授权对象/,
            host: '主机',
            tag: /^标签/,
            create: '创建',
            revoke: '撤销',
          };
    const tag = `e2e-host-${lang}-${Date.now().toString(36)}`;
    await signIn(page, 'alice');
    if (lang === 'zh-CN') {
      await page.goto('/settings');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('option', { name: '简体中文' }).click();
      await expect(
        page.getByRole('button', { name: '简体中文' }),
      ).toBeVisible();
    }
    await page.goto('/bastion');
    await page.getByRole('tab', { name: text.tab }).click();
    const grantForm = page.getByRole('form', { name: text.tab });
    await grantForm.getByRole('textbox', { name: text.subject }).fill('erin');
    await page.getByRole('option', { name: /user:default\/erin/ }).click();
    // the host is picked among the catalog's hosts, searched by name
    const host = grantForm.getByRole('textbox', {
      name: text.host,
      exact: true,
    });
    await host.fill('web-0');
    await expect(
      page.getByRole('option', { name: 'web-01 (prod, storefront)' }),
    ).toBeVisible();
    await page
      .getByRole('option', { name: 'web-02 (staging, storefront)' })
      .click();
    await expect(host).toHaveValue('web-02 (staging, storefront)');
    await grantForm.getByRole('textbox', { name: text.tag }).fill(tag);
    await grantForm.getByRole('button', { name: text.create }).click();
    const grantRow = page.getByRole('row').filter({ hasText: `tag=${tag}` });
    await expect(grantRow).toContainText('host=web-02');
    await expect(grantRow).toContainText('user:default/erin');
    await grantRow.getByRole('button', { name: text.revoke }).click();
    await expect(grantRow).toHaveCount(0);
  });
}
