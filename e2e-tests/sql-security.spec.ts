import { randomBytes } from 'node:crypto';
import { expect, Page, test } from '@playwright/test';
import { Client } from 'pg';
import { ensureDemoDbCredential, signIn, testPostgres } from './helpers';

/**
 * Issue #13 in the browser, in English and in Simplified Chinese: a
 * developer's console query that calls a server-file function is refused
 * with the rule named, and a statement-smuggling change is refused at review
 * (PostgreSQL's own parser sees the second statement) while the table stays.
 */
const LANGUAGES = [
  {
    name: 'en',
    console: 'Query console',
    submit: 'Submit change',
    run: 'Run query',
    review: 'Review',
    title: /^Title/,
    refused: 'Refused by rule server-files-and-programs',
    statement2: 'Statement 2',
    rules: 'Review rules',
    denyList: 'Query console deny-list',
  },
  {
    name: 'zh-CN',
    console: '查询控制台',
    submit: '提交变更',
    run: '执行查询',
    review: '审核',
    title: /^标题/,
    refused: '已被规则 server-files-and-programs 拒绝',
    statement2: '第 2 条语句',
    rules: '审核规则',
    denyList: '查询控制台禁用清单',
  },
] as const;

async function useLanguage(page: Page, language: string) {
  if (language === 'en') return;
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

async function pickPayDb(page: Page, label: RegExp) {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: /^pay-db-main / }).click();
}

for (const lang of LANGUAGES) {
  test(`[${lang.name}] a dev's console query calling a server-file function is refused with the rule named`, async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    await ensureDemoDbCredential(request);
    await signIn(page, 'frank');
    await useLanguage(page, lang.name);
    await page.goto('/sql');
    await page.getByRole('tab', { name: lang.console }).click();
    await pickPayDb(page, lang.name === 'en' ? /^Instance/ : /^实例/);
    await page
      .getByRole('textbox', { name: /^SQL/ })
      .fill("SELECT pg_read_file('/etc/hostname') AS host");
    await page.getByRole('button', { name: lang.run }).click();
    await expect(page.getByText(lang.refused)).toBeVisible();
    await expect(
      page.getByText(/pg_read_file\(\) can read, list or write files/),
    ).toBeVisible();
    // the rules page lists the function under that rule
    await page.getByRole('tab', { name: lang.rules }).click();
    const denyList = page.getByRole('table', { name: lang.denyList });
    await expect(denyList.getByText(/pg_read_file\(\)/)).toBeVisible();
  });

  test(`[${lang.name}] a statement-smuggling change is refused at review`, async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    await ensureDemoDbCredential(request);
    const db = new Client(testPostgres('payments'));
    await db.connect();
    const table = `smuggle_${randomBytes(3).toString('hex')}`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, a text)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`);
    try {
      await signIn(page, 'frank');
      await useLanguage(page, lang.name);
      await page.goto('/sql');
      await page.getByRole('tab', { name: lang.submit }).click();
      await pickPayDb(page, lang.name === 'en' ? /^Instance/ : /^实例/);
      await page
        .getByRole('textbox', { name: lang.title })
        .fill(`smuggle ${table}`);
      await page
        .getByRole('textbox', { name: /^SQL/ })
        .fill(
          `UPDATE ${table} SET a='x\\' WHERE id=1; DROP TABLE ${table}; --' WHERE id=2`,
        );
      await page
        .getByRole('button', { name: lang.review, exact: true })
        .click();
      // PostgreSQL reads two statements: the DROP is its own, and the change is refused
      await expect(page.getByText('[mixed-ddl-dml]')).toBeVisible();
      await expect(page.getByText('[drop-or-truncate]')).toBeVisible();
      await expect(page.getByText(lang.statement2).first()).toBeVisible();
      await expect(
        page.getByRole('button', {
          name: lang.name === 'en' ? 'Submit' : '提交',
          exact: true,
        }),
      ).toHaveCount(0);
      const rows = await db.query(`SELECT id, a FROM ${table} ORDER BY id`);
      expect(rows.rows).toEqual([
        { id: 1, a: 'one' },
        { id: 2, a: 'two' },
      ]);
    } finally {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await db.end();
    }
  });
}
