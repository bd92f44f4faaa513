import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// #16 item 7: in zh-CN no page shows an English UI string. A UI string is the text of what the
// user reads as the interface (headings, buttons, tabs, menu items, table headers, form labels,
// placeholders, helper text, the sidebar), not data: table cells, code, links to entities, and
// whatever the catalog holds (entity names, titles, types, tags, lifecycles, people's names) are
// left out. Latin words that are proper names (products, protocols, units, Backstage's entity
// kinds) are allowed. Strings still English in Backstage's own components that opsdeck has not
// replaced yet would be listed in KNOWN_OPEN by page (now empty): the test fails on any other, so
// the list can only shrink.

const PAGES = [
  '/',
  '/catalog',
  '/catalog/default/resource/web-01',
  '/catalog/default/resource/pay-db-main',
  '/catalog/default/component/payments-api',
  '/catalog/default/component/payments-api/kubernetes',
  '/catalog/default/system/payments',
  '/catalog/default/group/ops',
  '/catalog/default/user/alice',
  '/create/templates/default/server-access',
  '/a-page-that-does-not-exist',
  '/create',
  '/search',
  '/notifications',
  '/settings',
  '/docs',
  '/hosts',
  '/bastion',
  '/jobs',
  '/files',
  '/sql',
  '/tickets',
  '/credentials',
  '/audit',
  '/accounts',
  '/config',
  '/monitoring',
  '/registry',
  '/report',
];

/**
 * Backstage's own strings still English in zh-CN, by page (open in #16; see the header). Empty:
 * the app replaces the catalog and docs index pages, the search page, the group members card
 * and the Kubernetes tab's panels where Backstage wrote them as fixed English.
 */
const KNOWN_OPEN: Record<string, string[]> = {};

/**
 * Display names (titles, people's and groups' names) the catalog holds: a page may weave them
 * into a translated sentence ("Operations 的成员"), where they stay data.
 */
const NAMES = new Set<string>();

/** Everything the catalog holds that a page may show as data. */
async function catalogData(request: APIRequestContext): Promise<Set<string>> {
  const token = await userToken(request, 'alice');
  const res = await request.get('/api/catalog/entities', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(200);
  const words = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v !== 'string' || !v) return;
    words.add(v);
    words.add(v.toUpperCase());
    // an avatar's initial in front of the name
    words.add(`${v[0].toUpperCase()}${v}`);
  };
  for (const e of (await res.json()) as any[]) {
    add(e.spec?.type);
    if (typeof e.spec?.type === 'string') add(`${e.spec.type}s`); // "HOSTS" (ownership card)
    for (const tag of e.metadata?.tags ?? []) add(tag);
    // a template's title and description are interface: opsdeck translates them
    if (e.kind === 'Template') continue;
    add(e.metadata?.name);
    add(e.metadata?.title);
    add(e.spec?.lifecycle);
    add(e.spec?.profile?.displayName);
    for (const name of [e.metadata?.title, e.spec?.profile?.displayName]) {
      if (typeof name === 'string' && name.length > 1) NAMES.add(name);
    }
  }
  return words;
}

/** Proper names and units that stay Latin in Chinese text. */
const ALLOWED = new Set(
  [
    'opsdeck',
    'Backstage',
    'TechDocs',
    'SQL',
    'SSH',
    'SFTP',
    'PostgreSQL',
    'MySQL',
    'MariaDB',
    'Redis',
    'nginx',
    'Nginx',
    'Kubernetes',
    'Jenkins',
    'Prometheus',
    'Alertmanager',
    'PromQL',
    'Docker',
    'OCI',
    'CI',
    'CD',
    'CPU',
    'API',
    'URL',
    'HTTP',
    'HTTPS',
    'TCP',
    'UDP',
    'DNS',
    'ID',
    'IP',
    'JSON',
    'YAML',
    'CSV',
    'TLS',
    'Git',
    'GitHub',
    'GitLab',
    'Webhook',
    'webhook',
    'SMTP',
    'QPS',
    'TTL',
    'DDL',
    'DML',
    'UTC',
    'KiB',
    'MiB',
    'GiB',
    'MB',
    'GB',
    'KB',
    'ms',
    'min',
    'RSS',
    'Atom',
    'PDF',
    'OK',
    'DBA',
    'UI',
    'Markdown',
    'Shell',
    'bash',
    'sudo',
    'root',
    'cron',
    'Cron',
    'English',
    'asciicast',
    'PR',
    'SHA',
    'sha',
    'mkdocs',
    'Pod',
    'Resource',
    'Component',
    'System',
    'Group',
    'User',
    'Location',
    'Template',
    'Domain',
    // the operating system's error code an unreachable server is named by
    // (payments-api's image repository card while no registry runs)
    'ECONNREFUSED',
  ].map(w => w.toLowerCase()),
);

async function toZh(page: Page) {
  await page.goto('/settings');
  await page
    .getByRole('button', { name: /^(English|简体中文)$/ })
    .first()
    .click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await expect(page.getByRole('button', { name: '简体中文' })).toBeVisible();
}

/** The interface strings on the page that still contain Latin words outside the allow-list. */
async function latinStrings(page: Page, data: Set<string>): Promise<string[]> {
  const found = await page.evaluate(() => {
    const UI = [
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'button',
      '[role="tab"]',
      '[role="menuitem"]',
      'th',
      'label',
      'legend',
      'nav a',
      '.MuiFormHelperText-root',
      '.MuiAlert-message',
      '.MuiCardHeader-title',
      '.MuiCardHeader-subheader',
      '.MuiTablePagination-root',
      '.MuiChip-label',
      '.MuiTooltip-tooltip',
    ].join(',');
    // [aria-hidden="true"]: hidden from people and screen readers, such as the 1px native <select>
    // react-aria keeps beside a Select for autofill (its <label> holds every option's text)
    const DATA =
      'td, code, pre, .xterm, [data-opsdeck-data], a[href*="/catalog/"], [aria-hidden="true"]';
    const out: string[] = [];
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    };
    for (const el of Array.from(document.querySelectorAll(UI))) {
      if (el.closest(DATA) || !visible(el)) continue;
      // own text only of the nearest UI element (nested matches are visited themselves)
      let text = '';
      const walk = (n: Node) => {
        for (const c of Array.from(n.childNodes)) {
          if (c.nodeType === Node.TEXT_NODE) text += c.textContent;
          else if (c instanceof Element && !c.matches(UI) && !c.closest(DATA))
            walk(c);
        }
      };
      walk(el);
      if (text.trim()) out.push(`${el.tagName.toLowerCase()}: ${text.trim()}`);
    }
    for (const el of Array.from(
      document.querySelectorAll('input[placeholder], textarea[placeholder]'),
    )) {
      if (visible(el) && !el.closest(DATA)) {
        out.push(`placeholder: ${el.getAttribute('placeholder')}`);
      }
    }
    return out;
  });
  return [...new Set(found)].filter(entry => {
    const text = entry.slice(entry.indexOf(': ') + 2);
    // data: an entity ref, the page's own entity name, or a translated label with a data value
    if (/^[a-z]+:[a-z0-9-]+\/[\w.-]+$/.test(text) || data.has(text))
      return false;
    // a translated label in front of a value ("类型: Resource", "主机不可达：<the server's reason>"):
    // the value is data (server messages are open in #16: they carry no code yet)
    const label = /^([^A-Za-z]+)(?:: |：)[\s\S]*$/.exec(text);
    let ui = label ? label[1] : text;
    // a catalog display name inside a translated sentence is data
    for (const name of NAMES) ui = ui.split(name).join(' ');
    return (
      ui
        .split(/[\s\u3000-\u303f\uff00-\uffef,()]+/)
        // identifiers (ticket-7, web-01, v1.2, a@b) are data, not words
        .filter(token => !/[0-9_/:.@-]/.test(token))
        .flatMap(token => token.match(/[A-Za-z][A-Za-z'’]+/g) ?? [])
        .some(w => !ALLOWED.has(w.toLowerCase()))
    );
  });
}

test('in zh-CN no page shows an English interface string', async ({
  page,
  request,
}) => {
  test.setTimeout(PAGES.length * 30_000);
  const data = await catalogData(request);
  // the signed-in user's own name (settings)
  data.add('alice');
  await signIn(page, 'alice');
  await toZh(page);
  const offenders: Record<string, string[]> = {};
  for (const path of PAGES) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    // the sidebar is translated: it proves the language took effect on this page
    await expect(
      page.getByTestId('sidebar-root').getByRole('link', { name: '设置' }),
    ).toBeVisible();
    const known = KNOWN_OPEN[path] ?? [];
    const latin = (await latinStrings(page, data)).filter(
      entry => !known.includes(entry),
    );
    if (latin.length) offenders[path] = latin;
  }
  expect(offenders).toEqual({});
});
