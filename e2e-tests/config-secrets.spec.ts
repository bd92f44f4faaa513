import fs from 'node:fs';
import { expect, Page, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  waitForDemoHosts,
  signIn,
  userToken,
} from './helpers';

// A config variable from the vault (plugins/config, config-backend): the
// editor picks a password credential from the vault's list, the per-host
// diff shows ••••, and the pushed file on the demo host has the password.

const SECRET = 'e2e-Redis-Pass-7731';
const TEXT = {
  en: {
    variable: 'Variable name',
    credential: 'Vault credential',
    use: 'Use vault secret',
    message: 'What changed',
    saveVersion: 'Save as new version',
    saved: 'Saved version 1.',
    perHostDiff: 'Per-host diff',
    close: 'Close',
    push: 'Push',
  },
  'zh-CN': {
    variable: '变量名',
    credential: '凭据库凭据',
    use: '使用凭据库密钥',
    message: '变更说明',
    saveVersion: '保存为新版本',
    saved: '已保存版本 1。',
    perHostDiff: '按主机对比',
    close: '关闭',
    push: '下发',
  },
};

async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`(${lang}) a secret variable is picked from the vault, masked in the diff and pushed to the host`, async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000);
    const text = TEXT[lang];
    await ensureDemoSshCredential(request);
    const headers = {
      Authorization: `Bearer ${await userToken(request, 'alice')}`,
    };
    const stamp = `${Date.now()}-${lang.toLowerCase()}`;
    const credential = `e2e-redis-pass-${stamp}`;
    const created = await request.post('/api/vault/credentials', {
      headers,
      data: {
        name: credential,
        type: 'password',
        owner: 'ops',
        allowedUses: ['config-secret'],
        description: 'redis requirepass (config e2e)',
        secret: SECRET,
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const root = '/tmp/opsdeck-e2e-config';
    fs.mkdirSync(root, { recursive: true });
    fs.chmodSync(root, 0o1777);
    const dir = `${root}/secret-${stamp}`;
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const targetPath = `${dir}/redis-auth.conf`;
    await waitForDemoHosts(request, headers, ['web-01']);
    const set = await (
      await request.post('/api/config/sets', {
        headers,
        data: {
          name: `e2e-secret-${stamp}`,
          kind: 'text',
          owner: 'group:default/ops',
          selector: { names: ['web-01'] },
          targetPath,
        },
      })
    ).json();

    await signIn(page, 'alice');
    if (lang === 'zh-CN') await useChinese(page);
    await page.goto(`/config/${set.id}`);
    await page
      .getByTestId('config-template')
      .fill('requirepass {{vars.requirepass}}\n');
    await page.getByLabel(text.variable).fill('requirepass');
    await page.getByLabel(text.credential).click();
    await page.getByRole('option', { name: new RegExp(credential) }).click();
    await page.getByRole('button', { name: text.use }).click();
    await expect(page.getByTestId('config-variables')).toHaveValue(
      new RegExp(`"vault": "${credential}"`),
    );
    await page.getByLabel(text.message).fill('redis password from the vault');
    await page.getByRole('button', { name: text.saveVersion }).click();
    await expect(page.getByText(text.saved)).toBeVisible();

    const v1 = page.getByTestId('config-version-row').filter({ hasText: 'v1' });
    await v1.getByRole('button', { name: text.perHostDiff }).click();
    const diff = page
      .getByTestId('config-preview-host')
      .getByTestId('config-diff');
    await expect(diff).toContainText('+requirepass ••••');
    await expect(diff).not.toContainText(SECRET);
    await page.getByRole('button', { name: text.close }).click();

    await v1.getByRole('button', { name: text.push, exact: true }).click();
    await expect(page.getByTestId('config-release')).toHaveAttribute(
      'data-status',
      'done',
      { timeout: 60_000 },
    );
    expect(fs.readFileSync(targetPath, 'utf8')).toBe(`requirepass ${SECRET}\n`);
    await expect(page.locator('body')).not.toContainText(SECRET);
  });
}
