import fs from 'node:fs';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  signIn,
  userToken,
  waitForDemoHosts,
} from './helpers';

// A prod config push approved through a ticket (issue #18 item 3): bob (ops,
// config.push but not config.push.prod) pushes to a prod host, is offered
// "Request approval", alice (admin) approves on the Tickets page, bob pushes
// with the approved ticket.

const HOST = 'pay-app-01'; // environment: prod (examples/entities.yaml)

const TEXT = {
  en: {
    push: 'Push',
    required:
      'This change touches prod hosts: you may run it once another person approves it through a ticket.',
    request: 'Request approval',
    open: (id: number) => `Open ticket ${id}`,
    changeTitle: 'Change to approve',
    changeKind: 'Config release on prod hosts',
    approve: 'Approve',
    decided: 'Your decision was recorded.',
    run: 'Push with approved ticket',
    done: 'Done',
  },
  'zh-CN': {
    push: '下发',
    required: '此变更涉及生产主机：需经他人通过工单审批后，方可执行一次。',
    request: '申请审批',
    open: (id: number) => `打开工单 ${id}`,
    changeTitle: '待审批的变更',
    changeKind: '生产主机上的配置下发',
    approve: '批准',
    decided: '已记录您的决定。',
    run: '凭审批工单下发',
    done: '完成',
  },
};

async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

/** A text config set on one prod host with version 1 saved (by alice, an admin). */
async function setUp(request: APIRequestContext, lang: string) {
  await ensureDemoSshCredential(request);
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const root = '/tmp/opsdeck-e2e-config';
  fs.mkdirSync(root, { recursive: true });
  fs.chmodSync(root, 0o1777);
  const stamp = `${Date.now()}-approval-${lang.toLowerCase()}`;
  const dir = `${root}/${stamp}`;
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777);
  const targetPath = `${dir}/app.conf`;
  await waitForDemoHosts(request, headers, [HOST]);
  const created = await request.post('/api/config/sets', {
    headers,
    data: {
      name: `e2e-${stamp}`,
      kind: 'text',
      owner: 'group:default/ops',
      selector: { names: [HOST] },
      targetPath,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const set = await created.json();
  const saved = await request.post(`/api/config/sets/${set.id}/versions`, {
    headers,
    data: { template: `approved = ${lang}\n`, message: 'first' },
  });
  expect(saved.status(), await saved.text()).toBe(201);
  return { set, targetPath };
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`(${lang}) an ops engineer without prod rights requests approval for a prod push, an admin approves, the push runs with the ticket`, async ({
    browser,
    request,
  }) => {
    test.setTimeout(180_000);
    const text = TEXT[lang];
    const { set, targetPath } = await setUp(request, lang);

    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await signIn(bob, 'bob');
    if (lang === 'zh-CN') await useChinese(bob);
    await bob.goto(`/config/${set.id}`);
    const v1 = bob.getByTestId('config-version-row').filter({ hasText: 'v1' });
    await v1.getByRole('button', { name: text.push, exact: true }).click();
    const panel = bob.getByTestId('config-approval');
    await expect(panel).toContainText(text.required);
    await panel.getByRole('button', { name: text.request }).click();
    const link = panel.getByRole('link', { name: /\d+/ });
    await expect(link).toBeVisible();
    const ticketId = Number(
      /(\d+)$/.exec((await link.getAttribute('href')) ?? '')![1],
    );
    await expect(link).toHaveText(text.open(ticketId));
    expect(fs.existsSync(targetPath)).toBe(false);

    // alice (admin) approves on the Tickets page, seeing the change
    const aliceContext = await browser.newContext();
    const alice = await aliceContext.newPage();
    await signIn(alice, 'alice');
    if (lang === 'zh-CN') await useChinese(alice);
    await alice.goto(`/tickets/${ticketId}`);
    const change = alice.getByTestId('ticket-change');
    await expect(change).toContainText(text.changeTitle);
    await expect(change).toContainText(text.changeKind);
    await expect(change).toContainText(`config-set:default/${set.name}`);
    await expect(alice.getByTestId('ticket-change-json')).toContainText(
      'resource:default/pay-app-01',
    );
    await alice.getByRole('button', { name: text.approve }).click();
    await expect(alice.getByText(text.decided)).toBeVisible();
    await aliceContext.close();

    // bob pushes with the approved ticket
    await panel.getByRole('button', { name: text.run }).click();
    const release = bob.getByTestId('config-release');
    await expect(release).toHaveAttribute('data-status', 'done', {
      timeout: 60_000,
    });
    await expect(
      bob.getByTestId('config-release-host').filter({ hasText: HOST }),
    ).toContainText(text.done);
    expect(fs.readFileSync(targetPath, 'utf8')).toBe(`approved = ${lang}\n`);
    await bobContext.close();
  });
}
