import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, Page, test } from '@playwright/test';
import { ensureDemoSshCredential, signIn, userToken } from './helpers';

// The demo hosts (examples/entities.yaml) are sshd servers on this machine:
// what they write lands on this disk, as user opsdeck.
const ROOT = '/tmp/opsdeck-e2e-files';

/** The Files page's text in one language (what this spec reads and clicks). */
type Texts = {
  chunkSize: string;
  upload: string;
  uploaded: (name: string) => RegExp;
  distribute: string;
  targetPath: RegExp;
  start: string;
  notAllowed: string;
  /** the refusal's code (files-target-outside-roots) said in the language */
  outsideRoots: string;
  symlinkRefused: string;
  failed: string;
};

const EN: Texts = {
  chunkSize: 'Chunk size (MiB)',
  upload: 'Upload',
  uploaded: name =>
    new RegExp(`Uploaded ${name} as version 1 \\(file id ([0-9a-f-]{36})\\)`),
  distribute: 'Distribute',
  targetPath: /^Target path/,
  start: 'Start distribution',
  notAllowed: 'Target path not allowed for these hosts',
  outsideRoots: 'is outside the directories allowed for these hosts',
  symlinkRefused: 'Refused: a symbolic link in the target path.',
  failed: 'failed',
};

const ZH: Texts = {
  chunkSize: '分块大小（MiB）',
  upload: '上传',
  uploaded: name =>
    new RegExp(`${name} 已上传为第 1 版（文件 ID ([0-9a-f-]{36})）`),
  distribute: '分发',
  targetPath: /^目标路径/,
  start: '开始分发',
  notAllowed: '这些主机不允许使用该目标路径',
  outsideRoots: '不在这些主机允许的目录内',
  symlinkRefused: '已拒绝：目标路径中有符号链接。',
  failed: '失败',
};

async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

for (const [language, text] of [
  ['en', EN],
  ['zh-CN', ZH],
] as const) {
  test(`${language}: an upload ends with its file id; targets outside the allowed roots or under a link are refused`, async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000);
    await ensureDemoSshCredential(request);
    const stamp = `${language}-${Date.now()}`;
    const name = `e2e-safety-${stamp}.conf`;
    const local = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-files-')),
      name,
    );
    fs.writeFileSync(local, randomBytes(100 * 1024));
    // a real directory and a link to it, both writable by the hosts' user
    fs.mkdirSync(ROOT, { recursive: true });
    fs.chmodSync(ROOT, 0o1777);
    const real = `${ROOT}/${stamp}-real`;
    const link = `${ROOT}/${stamp}-link`;
    fs.mkdirSync(real);
    fs.chmodSync(real, 0o777);
    fs.symlinkSync(real, link);

    await signIn(page, 'alice');
    if (language === 'zh-CN') await useChinese(page);
    await page.goto('/files');

    // 1. The upload is reported done with the library's file id.
    await page.getByRole('spinbutton', { name: text.chunkSize }).fill('1');
    await page.getByTestId('files-upload-input').setInputFiles(local);
    await page.getByRole('button', { name: text.upload, exact: true }).click();
    const done = page.getByText(text.uploaded(name));
    await expect(done).toBeVisible({ timeout: 60_000 });
    const fileId = text.uploaded(name).exec((await done.textContent())!)![1];
    const token = await userToken(request, 'alice');
    const stored = await request.get(`/api/files/files/${fileId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(stored.status()).toBe(200);
    expect((await stored.json()).name).toBe(name);

    // 2. A target in /etc is outside every environment's default roots.
    const row = page
      .getByRole('table')
      .first()
      .getByRole('row')
      .filter({ hasText: name });
    await row
      .getByRole('button', { name: `${text.distribute} ${name} v1` })
      .click();
    const dialog = page.getByRole('dialog');
    // the CMDB's shared host field (en and zh-CN): a typed name becomes a chip
    await dialog.locator('#files-hosts-names').fill('web-01,');
    await expect(dialog.getByTestId('files-hosts-preview')).toContainText(
      'web-01',
    );
    const target = dialog.getByRole('textbox', { name: text.targetPath });
    await target.fill(`/etc/opsdeck-e2e-${stamp}/`);
    await dialog.getByRole('button', { name: text.start }).click();
    const refusal = dialog.getByRole('alert');
    await expect(refusal).toContainText(text.notAllowed);
    await expect(refusal).toContainText(text.outsideRoots);
    expect(fs.existsSync(`/etc/opsdeck-e2e-${stamp}`)).toBe(false);

    // 3. A directory that is a link is refused on the host, and named so.
    await target.fill(`${link}/`);
    await dialog.getByRole('button', { name: text.start }).click();
    const live = page.getByTestId('files-distribution-view');
    const host = live.getByTestId('files-host-resource:default/web-01');
    await expect(host).toContainText(text.symlinkRefused, { timeout: 60_000 });
    await expect(host).toContainText(`${link} is a symbolic link on the host`);
    await expect(host).toContainText(text.failed);
    expect(fs.readdirSync(real)).toEqual([]);
  });
}
