import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { ensureDemoSshCredential, signIn, userToken } from './helpers';

// Command control (#14 item 4) in the running app, on the demo host web-02 (staging, real
// sshd on 127.0.0.1): output cannot switch checking off, and a command under a review rule
// waits until an approver allows it in the browser (the approver's page in zh-CN).

async function asAlice(request: APIRequestContext) {
  return { Authorization: `Bearer ${await userToken(request, 'alice')}` };
}

async function setUp(
  request: APIRequestContext,
  rule: { name: string; pattern: string; action: string },
) {
  await ensureDemoSshCredential(request);
  const headers = await asAlice(request);
  const created = await request.post('/api/bastion/rules', {
    headers,
    data: { ...rule, kind: 'command', priority: 1 },
  });
  expect(created.status()).toBe(201);
  const grant = await request.post('/api/bastion/grants', {
    headers,
    data: {
      subject: 'user:default/frank',
      selector: { host: 'web-02' },
      loginUser: 'opsdeck',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'e2e command control',
    },
  });
  expect(grant.status()).toBe(201);
  return (await created.json()).id as string;
}

function terminalText(page: Page) {
  return page.getByTestId('bastion-terminal').locator('.xterm-rows');
}

async function openTerminal(page: Page) {
  await page.goto('/bastion/hosts/web-02');
  await expect(page.getByTestId('terminal-status')).toContainText(
    'Connected as opsdeck',
    { timeout: 30_000 },
  );
  await page.getByTestId('bastion-terminal').click();
  await expect(terminalText(page)).toContainText('$', { timeout: 15_000 });
}

test('a rejected command typed after the full-screen escape is still refused', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const marker = `e2e-blocked-${Date.now()}`;
  await setUp(request, {
    name: 'e2e no blocked markers',
    pattern: '^touch\\s.*e2e-blocked',
    action: 'reject',
  });
  await signIn(page, 'frank');
  await openTerminal(page);
  // the host claims a full-screen program took the screen
  await page.keyboard.type("printf '\\e[?1049h'");
  await page.keyboard.press('Enter');
  // the output (…-42) differs from the echoed line (…-$((6*7))): it shows only if it ran
  await page.keyboard.type(`touch /tmp/${marker} && echo ${marker}-$((6*7))`);
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText(
    'Command refused by rule "e2e no blocked markers"',
  );
  // quoting does not get it through either
  await page.keyboard.type(`t''ouch /tmp/${marker}`);
  await page.keyboard.press('Enter');
  await page.keyboard.type(
    "printf '\\e[?1049l'; ls /tmp | grep -c e2e-blocked-",
  );
  await page.keyboard.press('Enter');
  await page.keyboard.type('echo checked-$((2+3))');
  await page.keyboard.press('Enter');
  await expect(terminalText(page)).toContainText('checked-5');
  await expect(terminalText(page)).not.toContainText(`${marker}-42`);

  const commands = await request.get(
    `/api/bastion/commands?q=${encodeURIComponent(marker)}`,
    { headers: await asAlice(request) },
  );
  const items = (await commands.json()).items as Array<{ action: string }>;
  expect(items.map(i => i.action)).toEqual(['rejected', 'rejected']);
});

test('a command under a review rule waits and runs after approval (approver in zh-CN)', async ({
  browser,
  request,
}) => {
  test.setTimeout(150_000);
  const marker = `e2e-reviewed-${Date.now()}`;
  await setUp(request, {
    name: 'e2e reviewed markers',
    pattern: '^touch\\s.*e2e-reviewed',
    action: 'review',
  });

  const frankContext = await browser.newContext();
  const frank = await frankContext.newPage();
  await signIn(frank, 'frank');
  await openTerminal(frank);
  // the output (…-42) differs from the echoed line (…-$((6*7))): it shows only if it ran
  await frank.keyboard.type(`touch /tmp/${marker} && echo ${marker}-$((6*7))`);
  await frank.keyboard.press('Enter');
  await expect(terminalText(frank)).toContainText('Waiting for approval');
  await expect(terminalText(frank)).not.toContainText(`${marker}-42`);

  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, 'alice');
  await alice.goto('/settings');
  await alice.getByRole('button', { name: 'English' }).click();
  await alice.getByRole('option', { name: '简体中文' }).click();
  await alice.goto('/bastion');
  await alice.getByRole('tab', { name: '命令复核' }).click();
  const row = alice.getByRole('row').filter({ hasText: marker });
  await expect(row).toContainText('user:default/frank');
  await row.getByRole('button', { name: '批准' }).click();
  await expect(row).toHaveCount(0);

  await expect(terminalText(frank)).toContainText(
    'Approved by user:default/alice',
  );
  await expect(terminalText(frank)).toContainText(`${marker}-42`);

  const commands = await request.get(
    `/api/bastion/commands?q=${encodeURIComponent(marker)}`,
    { headers: await asAlice(request) },
  );
  expect((await commands.json()).items).toContainEqual(
    expect.objectContaining({
      action: 'approved',
      reviewedBy: 'user:default/alice',
      userRef: 'user:default/frank',
    }),
  );
  await frankContext.close();
  await aliceContext.close();
});
