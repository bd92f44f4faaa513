import { expect, Page, test, TestInfo } from '@playwright/test';
import { signIn, userToken } from './helpers';

/**
 * zh-CN throughout: after switching to 简体中文, no page the portal's users
 * land on shows an English UI string. Every visible text (and placeholder)
 * is split into words; a Latin-letter word fails the page unless it is data
 * (any string of a catalog entity: names, titles, tags, owners, addresses),
 * an identifier (has a digit or one of - _ . : / @ =), or a proper name on the
 * allow-list below. Each page's screenshot is attached to the report.
 */

/** Proper names and acronyms that stay Latin in Chinese text. */
const PROPER_NAMES = [
  'opsdeck',
  'Backstage',
  'English',
  'SSH',
  'SQL',
  'PostgreSQL',
  'MySQL',
  'MariaDB',
  'Redis',
  'TechDocs',
  'API',
  'APIs',
  'ID',
  'JSON',
  'YAML',
  'URL',
  'CPU',
  'IP',
  'TCP',
  'OS',
  'OpenID',
  'JWT',
  'OAuth',
  'Jenkins',
  'Kubernetes',
  'Linux',
  'CI',
  'CD',
  'DBA',
  'PR',
  'TTL',
  'UTC',
  'CSV',
  'MiB',
  'GB',
  'MB',
  'KB',
  'AM',
  'PM',
];

/** The pages checked: Backstage's own and every opsdeck page. */
const PAGES: Array<[string, string]> = [
  ['home', '/home'],
  ['catalog', '/'], // the catalog is the landing page (app-config)
  ['entity-host', '/catalog/default/resource/web-01'],
  ['entity-component', '/catalog/default/component/payments-api'],
  ['create', '/create'],
  ['search', '/search'],
  ['settings', '/settings'],
  ['notifications', '/notifications'],
  ['hosts', '/hosts'],
  ['bastion', '/bastion'],
  ['jobs', '/jobs'],
  ['files', '/files'],
  ['sql', '/sql'],
  ['tickets', '/tickets'],
  ['credentials', '/credentials'],
  ['audit', '/audit'],
  ['report', '/report'],
  ['accounts', '/accounts'],
];

/**
 * The words of what the catalog holds about each entity (its name, title,
 * description, tags, labels, type, lifecycle, owner, system, a user's
 * profile): that is data. Templates are not: their texts are UI, translated.
 */
async function catalogWords(page: Page, token: string): Promise<Set<string>> {
  const res = await page.request.get('/api/catalog/entities', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(200);
  const words = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') {
      for (const w of value.split(/[^A-Za-z0-9]+/)) {
        if (w) words.add(w.toLowerCase());
      }
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value && typeof value === 'object')
      Object.values(value).forEach(add);
  };
  for (const entity of await res.json()) {
    const { metadata, spec = {} } = entity;
    add([metadata.name, metadata.namespace, metadata.tags, metadata.labels]);
    add([spec.type, spec.lifecycle, spec.owner, spec.system, spec.domain]);
    add([spec.profile, spec.memberOf, spec.parent, spec.children]);
    if (entity.kind !== 'Template') add([metadata.title, metadata.description]);
  }
  return words;
}

/** The visible texts of the page (text nodes and input placeholders). */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const hidden = (el: Element | null): boolean => {
      for (let e = el; e; e = e.parentElement) {
        if (
          e.closest('code, pre, kbd, samp, script, style, noscript, svg') ||
          e.getAttribute('aria-hidden') === 'true'
        ) {
          return true;
        }
        const style = getComputedStyle(e);
        if (style.display === 'none' || style.visibility === 'hidden') {
          return true;
        }
      }
      return false;
    };
    const walker = document.createTreeWalker(
      document.body,
      NodeFilter.SHOW_TEXT,
    );
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      if (!text || hidden(n.parentElement)) continue;
      const rect = n.parentElement!.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      out.push(text);
    }
    document
      .querySelectorAll<HTMLInputElement>('input[placeholder], textarea')
      .forEach(input => {
        if (input.placeholder && !hidden(input)) out.push(input.placeholder);
      });
    return out;
  });
}

/** The Latin-letter words of `text` that are neither data nor proper names. */
function englishWords(text: string, data: Set<string>): string[] {
  const allowed = new Set(PROPER_NAMES.map(w => w.toLowerCase()));
  return text
    .split(/[\s,;!?()[\]{}"'“”‘’《》（），。：；！？、…·|]+/)
    .filter(token => /[A-Za-z]/.test(token))
    .filter(token => !/[0-9\-_.:/@=#~*+]/.test(token))
    .filter(token => {
      const word = token.toLowerCase();
      return !allowed.has(word) && !data.has(word);
    });
}

/** Waits for the page's data; a progress bar still running after 20 s is reported. */
async function settle(page: Page, stuck: string[], name: string) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
  try {
    await expect(page.getByRole('progressbar')).toHaveCount(0, {
      timeout: 20_000,
    });
  } catch {
    stuck.push(name);
  }
  await page.waitForLoadState('networkidle');
}

async function snapshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`zh-CN-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(`zh-CN ${name}`, { path, contentType: 'image/png' });
}

test('dates on opsdeck pages follow the chosen language', async ({ page }) => {
  await signIn(page, 'alice');
  await page.goto('/audit');
  // en: US dates with AM/PM (the sign-in above is the newest event)
  await expect(
    page.getByText(/\d+\/\d+\/\d{4}, .*[AP]M/).first(),
  ).toBeVisible();
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await page.goto('/audit');
  await expect(
    page.getByText(/\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}/).first(),
  ).toBeVisible();
  await expect(page.getByText(/\d+\/\d+\/\d{4}, .*[AP]M/)).toHaveCount(0);
  await page.goto('/settings');
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByRole('option', { name: 'English' }).click();
});

test('in 简体中文 no page shows an English UI string', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await signIn(page, 'alice');
  const token = await userToken(page.request, 'alice');
  const data = await catalogWords(page, token);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  // the language is listed by its own name, not as 中文（中国）
  await expect(page.getByRole('option', { name: '简体中文' })).toBeVisible();
  await expect(page.getByRole('option', { name: /中国/ })).toHaveCount(0);
  await page.getByRole('option', { name: '简体中文' }).click();
  await expect(page.getByRole('button', { name: '简体中文' })).toBeVisible();

  const found: string[] = [];
  const stuck: string[] = [];
  for (const [name, path] of PAGES) {
    await page.goto(path);
    await settle(page, stuck, name);
    await snapshot(page, testInfo, name);
    const words = new Set<string>();
    for (const text of await visibleTexts(page)) {
      for (const word of englishWords(text, data)) {
        words.add(`${word} (in "${text.slice(0, 80)}")`);
      }
    }
    for (const word of words) found.push(`${name} ${path}: ${word}`);
  }
  // back to English for the specs after this one
  await page.goto('/settings');
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByRole('option', { name: 'English' }).click();
  expect(found).toEqual([]);
  expect(stuck).toEqual([]);
});
