import { randomBytes } from 'node:crypto';
import { expect, Page, test } from '@playwright/test';
import { Client } from 'pg';
import {
  ensureDemoDbCredential,
  signIn,
  testPostgres,
  userToken,
} from './helpers';

// Role-aware UI (#16 item 3): each page shows its actions to a role that may
// use them and hides them from one that may not; a page a user may not open
// says which permission is missing, in en and zh-CN.

const TEXT = {
  en: {
    notAllowed: 'Not allowed',
    jobs: 'Jobs',
    files: 'Files',
    bastion: 'Bastion',
    credentials: 'Credentials',
    newJob: 'New job',
    upload: 'Upload',
    addCredential: 'Add credential',
    approve: 'Approve',
    ownChange: 'You submitted this change',
    mine: 'My requests',
    grantsTab: 'Access grants',
    expired: 'Expired',
    hideExpired: 'Hide expired grants',
    revoke: 'Revoke',
  },
  'zh-CN': {
    notAllowed: '无权访问',
    jobs: '作业',
    files: '文件',
    bastion: '堡垒机',
    credentials: '凭据',
    newJob: '新建作业',
    upload: '上传',
    addCredential: '添加凭据',
    approve: '批准',
    ownChange: '这是你提交的变更',
    mine: '我的申请',
    grantsTab: '访问授权',
    expired: '已过期',
    hideExpired: '隐藏已过期的授权',
    revoke: '撤销',
  },
} as const;

type Language = keyof typeof TEXT;

async function signInAs(page: Page, user: string, language: Language) {
  await signIn(page, user);
  if (language === 'zh-CN') {
    await page.goto('/settings');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('option', { name: /中文/ }).click();
  }
}

const nav = (page: Page) =>
  page.getByRole('navigation', { name: 'sidebar nav' });

/** carol (dba) submits a change to pay-db-main through the API; its id. */
async function changeSubmittedByCarol(
  request: Parameters<typeof ensureDemoDbCredential>[0],
) {
  await ensureDemoDbCredential(request);
  const db = new Client(testPostgres('payments'));
  await db.connect();
  const table = `roles_${randomBytes(3).toString('hex')}`;
  await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, note text)`);
  await db.end();
  const submitted = await request.post('/api/sql/changes', {
    headers: { Authorization: `Bearer ${await userToken(request, 'carol')}` },
    data: {
      instanceRef: 'resource:default/pay-db-main',
      title: `Note a row (${table})`,
      sql: `INSERT INTO ${table} (note) VALUES ('roles')`,
    },
  });
  expect(submitted.status()).toBe(201);
  return (await submitted.json()).id as string;
}

for (const language of ['en', 'zh-CN'] as const) {
  const text = TEXT[language];

  test(`${language}: a user without roles sees no feature in the sidebar and a named missing permission on its pages`, async ({
    page,
  }) => {
    await signInAs(page, 'victor', language);
    for (const entry of [
      text.jobs,
      text.files,
      text.bastion,
      text.credentials,
    ]) {
      await expect(
        nav(page).getByRole('link', { name: entry, exact: true }),
      ).toHaveCount(0);
    }
    await page.goto('/bastion');
    const bastion = page.getByTestId('opsdeck-not-allowed');
    await expect(bastion).toContainText(text.notAllowed);
    await expect(bastion).toContainText('opsdeck.bastion.session.open');
    await page.goto('/files');
    const files = page.getByTestId('opsdeck-not-allowed');
    await expect(files).toContainText('opsdeck.files.file.read');
    await expect(
      page.getByRole('heading', { name: text.upload, exact: true }),
    ).toHaveCount(0);
  });

  test(`${language}: files: a developer gets the upload form`, async ({
    page,
  }) => {
    await signInAs(page, 'dave', language);
    await nav(page)
      .getByRole('link', { name: text.files, exact: true })
      .click();
    await expect(
      page.getByRole('heading', { name: text.upload, exact: true }),
    ).toBeVisible();
  });

  test(`${language}: jobs: ops may create jobs, a viewer sees them without New job`, async ({
    page,
    browser,
  }) => {
    await signInAs(page, 'bob', language);
    await nav(page).getByRole('link', { name: text.jobs, exact: true }).click();
    await expect(page.getByRole('button', { name: text.newJob })).toBeVisible();

    const viewer = await (await browser.newContext()).newPage();
    await signInAs(viewer, 'erin', language);
    await nav(viewer)
      .getByRole('link', { name: text.jobs, exact: true })
      .click();
    await expect(viewer.getByRole('tab').first()).toBeVisible();
    await expect(viewer.getByRole('button', { name: text.newJob })).toHaveCount(
      0,
    );
    await expect(viewer.getByTestId('opsdeck-not-allowed')).toHaveCount(0);
  });

  test(`${language}: vault: an admin may add credentials, a viewer only reads them`, async ({
    page,
    browser,
  }) => {
    await signInAs(page, 'alice', language);
    await page.goto('/credentials');
    await expect(
      page.getByRole('button', { name: text.addCredential }),
    ).toBeVisible();

    const viewer = await (await browser.newContext()).newPage();
    await signInAs(viewer, 'erin', language);
    await nav(viewer)
      .getByRole('link', { name: text.credentials, exact: true })
      .click();
    await expect(viewer.getByRole('table')).toBeVisible();
    await expect(
      viewer.getByRole('button', { name: text.addCredential }),
    ).toHaveCount(0);
  });

  test(`${language}: sql: the submitter of a change is not offered Approve, another approver is, on the change's own URL`, async ({
    page,
    browser,
    request,
  }) => {
    test.setTimeout(120_000);
    const id = await changeSubmittedByCarol(request);
    await signInAs(page, 'carol', language);
    await page.goto(`/sql?change=${id}`);
    await expect(page.getByText(text.ownChange)).toBeVisible();
    await expect(
      page.getByRole('button', { name: text.approve, exact: true }),
    ).toHaveCount(0);

    const admin = await (await browser.newContext()).newPage();
    await signInAs(admin, 'alice', language);
    await admin.goto(`/sql?change=${id}`);
    await expect(
      admin.getByRole('button', { name: text.approve, exact: true }),
    ).toBeVisible();
  });

  test(`${language}: tickets open on My requests when nothing waits for the user`, async ({
    page,
  }) => {
    await signInAs(page, 'erin', language);
    await page.goto('/tickets');
    await expect(
      page.getByRole('tab', { name: text.mine, selected: true }),
    ).toBeVisible();
  });
}

for (const language of ['en', 'zh-CN'] as const) {
  const text = TEXT[language];

  test(`${language}: bastion: an expired grant is marked and can be hidden; a viewer reads grants without Revoke`, async ({
    page,
    browser,
    request,
  }) => {
    const headers = {
      Authorization: `Bearer ${await userToken(request, 'alice')}`,
    };
    const created = await request.post('/api/bastion/grants', {
      headers,
      data: {
        subject: 'user:default/frank',
        selector: { host: 'web-01' },
        loginUser: 'opsdeck',
        expiresAt: new Date(Date.now() + 1500).toISOString(),
        reason: `roles e2e ${language}`,
      },
    });
    expect(created.status()).toBe(201);
    const { id } = await created.json();
    await new Promise(resolve => setTimeout(resolve, 2000));

    await signInAs(page, 'alice', language);
    await page.goto('/bastion');
    await page.getByRole('tab', { name: text.grantsTab }).click();
    const row = page.getByTestId(`bastion-grant-${id}`);
    await expect(row).toContainText(text.expired);
    await expect(row.getByRole('button', { name: text.revoke })).toBeVisible();
    await page.getByRole('checkbox', { name: text.hideExpired }).check();
    await expect(row).toHaveCount(0);

    const viewer = await (await browser.newContext()).newPage();
    await signInAs(viewer, 'erin', language);
    await viewer.goto('/bastion');
    await viewer.getByRole('tab', { name: text.grantsTab }).click();
    const seen = viewer.getByTestId(`bastion-grant-${id}`);
    await expect(seen).toContainText(text.expired);
    await expect(seen.getByRole('button', { name: text.revoke })).toHaveCount(
      0,
    );
  });
}
