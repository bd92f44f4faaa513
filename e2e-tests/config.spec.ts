import fs from 'node:fs';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  waitForDemoHosts,
  signIn,
  userToken,
} from './helpers';

// Configuration management (plugins/config, plugins/config-backend) on three
// demo hosts (examples/entities.yaml: sshd on 127.0.0.1:22301-22306 sharing
// this machine's filesystem). A text config set to a file under /tmp: edit
// the template, see the per-host diff, push with per-host progress (stopping
// after the first batch until continued), roll back.

const HOSTS = ['web-01', 'web-02', 'build-01'];

const TEXT = {
  en: {
    saveVersion: 'Save as new version',
    message: 'What changed',
    saved: 'Saved version 2.',
    perHostDiff: 'Per-host diff',
    close: 'Close',
    push: 'Push',
    rollback: 'Roll back to this',
    done: 'Done',
    rolledBack: 'Rollback started: new version 3.',
    rollbackNote: '(rollback to v1)',
    confirmFirst: 'Stop after the first batch until continued',
    paused: 'Paused after a batch: waiting for someone to continue or abort.',
    firstDone: '1 of 3 hosts done',
    continue: 'Continue',
    editSet: 'Edit set',
    cancel: 'Cancel',
    hostsMatch: '3 hosts match: ',
    noReload: 'Push without reload (reload as a separate step)',
    reloadPending:
      'Pushed without reload: the new file is in place on 3 host(s)',
    reloadNow: 'Reload now',
  },
  'zh-CN': {
    saveVersion: '保存为新版本',
    message: '变更说明',
    saved: '已保存版本 2。',
    perHostDiff: '按主机对比',
    close: '关闭',
    push: '下发',
    rollback: '回滚到此版本',
    done: '完成',
    rolledBack: '已开始回滚：新版本 3。',
    rollbackNote: '(回滚到 v1)',
    confirmFirst: '第一批完成后暂停，等待确认继续',
    paused: '一批已完成并暂停：等待有人继续或中止。',
    firstDone: '已完成 1 / 3 台主机',
    continue: '继续',
    editSet: '编辑配置集',
    cancel: '取消',
    hostsMatch: '匹配 3 台主机：',
    noReload: '仅下发不重载（重载作为单独一步）',
    reloadPending: '已下发但未重载：新文件已在 3 台主机上就位',
    reloadNow: '立即重载',
  },
};

async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

/** A text config set on the three hosts with version 1 pushed (through the API). */
async function setUp(request: APIRequestContext, lang: string) {
  await ensureDemoSshCredential(request);
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const root = '/tmp/opsdeck-e2e-config';
  fs.mkdirSync(root, { recursive: true });
  fs.chmodSync(root, 0o1777);
  const stamp = `${Date.now()}-${lang.toLowerCase()}`;
  const dir = `${root}/${stamp}`;
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777);
  const targetPath = `${dir}/app.conf`;
  await waitForDemoHosts(request, headers, HOSTS);
  const created = await request.post('/api/config/sets', {
    headers,
    data: {
      name: `e2e-${stamp}`,
      kind: 'text',
      owner: 'group:default/ops',
      selector: { names: HOSTS },
      targetPath,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const set = await created.json();
  const saved = await request.post(`/api/config/sets/${set.id}/versions`, {
    headers,
    data: {
      template: 'greeting = {{vars.greeting}}\n',
      variables: { defaults: { greeting: 'hello' } },
      message: 'first',
    },
  });
  expect(saved.status(), await saved.text()).toBe(201);
  const pushed = await request.post(`/api/config/sets/${set.id}/releases`, {
    headers,
    data: { version: 1, batchSize: 1 },
  });
  expect(pushed.status(), await pushed.text()).toBe(201);
  const releaseId = (await pushed.json()).id;
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(`/api/config/releases/${releaseId}`, { headers })
          ).json()
        ).status,
      { timeout: 60_000 },
    )
    .toBe('done');
  expect(fs.readFileSync(targetPath, 'utf8')).toBe('greeting = hello\n');
  return { set, targetPath };
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`(${lang}) an ops engineer edits a template, sees the per-host diff, pushes to 3 hosts with progress and rolls back`, async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000);
    const text = TEXT[lang];
    const { set, targetPath } = await setUp(request, lang);

    await signIn(page, 'alice');
    if (lang === 'zh-CN') await useChinese(page);
    await page.goto('/config');
    await page.getByRole('link', { name: set.name }).click();
    await expect(page).toHaveURL(new RegExp(`/config/${set.id}$`));

    // the set's hosts are picked with the CMDB's shared host selector
    await page.getByRole('button', { name: text.editSet }).click();
    const form = page.getByRole('dialog');
    for (const h of HOSTS) {
      await expect(form.getByRole('button', { name: h })).toBeVisible();
    }
    await expect(form.getByTestId('config-set-hosts-preview')).toContainText(
      text.hostsMatch,
    );
    await form.getByRole('button', { name: text.cancel }).click();
    await expect(form).toBeHidden();

    // edit the template: version 2
    const template = page.getByTestId('config-template');
    await expect(template).toHaveValue('greeting = {{vars.greeting}}\n');
    await template.fill('greeting = {{vars.greeting}}\nmode = e2e\n');
    await page.getByLabel(text.message).fill('add mode');
    await page.getByRole('button', { name: text.saveVersion }).click();
    await expect(page.getByText(text.saved)).toBeVisible();

    // the per-host diff of v2 against the live file (v1) on each host
    const v2 = page.getByTestId('config-version-row').filter({ hasText: 'v2' });
    await v2.getByRole('button', { name: text.perHostDiff }).click();
    const hosts = page.getByTestId('config-preview-host');
    await expect(hosts).toHaveCount(3);
    for (const h of HOSTS) {
      const block = hosts.filter({ hasText: h });
      await expect(block.getByTestId('config-diff')).toContainText(
        '+mode = e2e',
      );
    }
    await page.getByRole('button', { name: text.close }).click();

    // push v2 one host at a time, stopping after the first batch: the
    // release waits (paused, with progress) until continued
    await page.getByLabel(text.confirmFirst).check();
    await v2.getByRole('button', { name: text.push, exact: true }).click();
    const release = page.getByTestId('config-release');
    await expect(release).toHaveAttribute('data-status', 'paused', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('config-release-paused')).toContainText(
      text.paused,
    );
    await expect(page.getByTestId('config-release-progress')).toHaveText(
      text.firstDone,
    );
    await page.getByRole('button', { name: text.continue }).click();
    await page.getByLabel(text.confirmFirst).uncheck();
    await expect(release).toHaveAttribute('data-status', 'done', {
      timeout: 60_000,
    });
    const rows = page.getByTestId('config-release-host');
    await expect(rows).toHaveCount(3);
    for (const h of HOSTS) {
      await expect(rows.filter({ hasText: h })).toContainText(text.done);
    }
    expect(fs.readFileSync(targetPath, 'utf8')).toBe(
      'greeting = hello\nmode = e2e\n',
    );

    // roll back to v1: a new version 3, pushed
    const v1 = page.getByTestId('config-version-row').filter({ hasText: 'v1' });
    await v1.getByRole('button', { name: text.rollback }).click();
    await expect(page.getByText(text.rolledBack)).toBeVisible();
    await expect(page.getByTestId('config-release')).toHaveAttribute(
      'data-status',
      'done',
      { timeout: 60_000 },
    );
    await expect
      .poll(() => fs.readFileSync(targetPath, 'utf8'))
      .toBe('greeting = hello\n');
    await expect(
      page.getByTestId('config-version-row').filter({ hasText: 'v3' }),
    ).toContainText(text.rollbackNote);

    // push v2 without reload: swapped in on every host, reloaded as a
    // separate step by a person
    await page.getByLabel(text.noReload).check();
    await v2.getByRole('button', { name: text.push, exact: true }).click();
    await expect(page.getByTestId('config-release')).toHaveAttribute(
      'data-status',
      'swapped',
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('config-release-swapped')).toContainText(
      text.reloadPending,
    );
    expect(fs.readFileSync(targetPath, 'utf8')).toBe(
      'greeting = hello\nmode = e2e\n',
    );
    await page.getByRole('button', { name: text.reloadNow }).click();
    await expect(page.getByTestId('config-release')).toHaveAttribute(
      'data-status',
      'done',
      { timeout: 60_000 },
    );
    await page.getByLabel(text.noReload).uncheck();
  });
}

test('a viewer reads config sets but sees no editor, push or rollback', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const { set } = await setUp(request, 'viewer');
  await signIn(page, 'erin');
  await page.goto(`/config/${set.id}`);
  await expect(page.getByTestId('config-version-row')).toHaveCount(1);
  await expect(page.getByTestId('config-template')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Push' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Per-host diff' })).toHaveCount(
    0,
  );
});
