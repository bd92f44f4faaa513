import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureDemoSshCredential, signIn } from './helpers';

// The demo hosts (examples/entities.yaml): sshd on 127.0.0.1:22301-22306, user opsdeck.
const DEMO_HOSTS = [
  'pay-app-01',
  'pay-app-02',
  'web-01',
  'web-02',
  'gw-01',
  'build-01',
];

test('a file is uploaded with a progress bar, resumed after a reload, and distributed to every demo host', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await ensureDemoSshCredential(request);

  const stamp = `${Date.now()}`;
  const name = `e2e-files-${stamp}.bin`;
  const data = randomBytes(6 * 1024 * 1024);
  const sha256 = createHash('sha256').update(data).digest('hex');
  // A real file, so its modification time (part of tus' resume key) is stable.
  const local = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-files-')),
    name,
  );
  fs.writeFileSync(local, data);
  // The hosts write as user opsdeck; the shared parent must let them.
  const root = '/tmp/opsdeck-e2e-files';
  fs.mkdirSync(root, { recursive: true });
  fs.chmodSync(root, 0o1777);
  const targetDir = `${root}/${stamp}`;

  // Slow every chunk down so that the reload lands mid-upload.
  await page.route('**/api/files/uploads/**', async route => {
    if (route.request().method() === 'PATCH') {
      await new Promise(r => setTimeout(r, 400));
    }
    await route.continue();
  });
  const patchOffsets: number[] = [];
  page.on('request', r => {
    if (r.method() === 'PATCH' && r.url().includes('/api/files/uploads/')) {
      patchOffsets.push(Number(r.headers()['upload-offset']));
    }
  });

  await signIn(page, 'alice');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Files' })
    .click();
  await expect(page.getByRole('heading', { name: 'Upload' })).toBeVisible();

  // 1. Start the upload in 512 KiB chunks; the progress bar moves.
  await page.getByRole('spinbutton', { name: 'Chunk size (MiB)' }).fill('0.5');
  await page.getByTestId('files-upload-input').setInputFiles(local);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: 'Upload progress' });
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(20);
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);

  // 2. Interrupt: reload the page mid-upload, then choose the same file again.
  await page.reload();
  patchOffsets.length = 0;
  await page.getByRole('spinbutton', { name: 'Chunk size (MiB)' }).fill('0.5');
  await page.getByTestId('files-upload-input').setInputFiles(local);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(
    page.getByText('Resuming the earlier, unfinished upload of this file'),
  ).toBeVisible();
  await expect(page.getByText(`Uploaded ${name} as version 1`)).toBeVisible({
    timeout: 60_000,
  });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  // the resumed upload started where the first one stopped, not at zero
  expect(patchOffsets.length).toBeGreaterThan(0);
  expect(patchOffsets[0]).toBeGreaterThan(0);

  // 3. The library lists it with its SHA-256.
  const library = page.getByRole('table', {
    name: 'Library files, each version on its own row',
  });
  const row = library.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(sha256.slice(0, 12));
  await expect(row).toContainText('6.0 MiB');

  // 4. Distribute it to the six demo hosts.
  await row.getByRole('button', { name: `Distribute ${name} v1` }).click();
  const dialog = page.getByRole('dialog');
  // the CMDB's shared host field: names typed with commas become chips, and
  // the live count says how many hosts the selection matches
  await dialog
    .getByRole('textbox', { name: 'Host names', exact: true })
    .fill(`${DEMO_HOSTS.join(',')},`);
  await expect(dialog.getByTestId('files-hosts-preview')).toContainText(
    `${DEMO_HOSTS.length} hosts match`,
  );
  await dialog
    .getByRole('textbox', { name: /^Target path/ })
    .fill(`${targetDir}/`);
  await dialog.getByRole('textbox', { name: /^File permissions/ }).fill('0640');
  await dialog.getByRole('button', { name: 'Start distribution' }).click();

  // 5. The live view shows every host verified.
  const live = page.getByTestId('files-distribution-view');
  await expect(live).toContainText(`to ${targetDir}/${name}`);
  for (const host of DEMO_HOSTS) {
    const hostRow = live.getByTestId(`files-host-resource:default/${host}`);
    await expect(hostRow).toContainText('SHA-256 verified', {
      timeout: 90_000,
    });
    await expect(hostRow).toContainText('6.0 MiB / 6.0 MiB');
  }
  await expect(live).toContainText('done');
  await expect(live).toContainText('6 verified, 0 failed');

  // The demo hosts share this machine's disk: the file is there, intact.
  const copy = fs.readFileSync(`${targetDir}/${name}`);
  expect(createHash('sha256').update(copy).digest('hex')).toBe(sha256);
  expect(fs.statSync(`${targetDir}/${name}`).mode & 0o777).toBe(0o640);
  expect(fs.readdirSync(targetDir)).toEqual([name]);
});
