import { expect, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// Search works without errors for every role (issue 16 item 8: the search
// page's techdocs query, `types[0]=techdocs`, used to answer HTTP 500 before
// any docs were indexed). admin, ops, dba, dev, qa, viewer and no role.
const USERS = ['alice', 'bob', 'carol', 'dave', 'quinn', 'erin', 'victor'];

const QUERIES = [
  'term=&types%5B0%5D=techdocs',
  'term=disk&types%5B0%5D=techdocs',
  'term=pay&types%5B0%5D=software-catalog',
  'term=pay',
  'term=',
];

for (const user of USERS) {
  test(`search answers ${user} without an error`, async ({ page, request }) => {
    test.setTimeout(120_000);
    const token = await userToken(request, user);
    for (const q of QUERIES) {
      const res = await request.get(`/api/search/query?${q}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status(), `${q} as ${user}`).toBe(200);
    }

    // the search page: every query it sends answers below 500
    const failed: string[] = [];
    page.on('response', r => {
      if (r.url().includes('/api/search/') && r.status() >= 500) {
        failed.push(`${r.status()} ${r.url()}`);
      }
    });
    await signIn(page, user);
    const searched = page.waitForResponse(
      r => r.url().includes('/api/search/query'),
      { timeout: 60_000 },
    );
    await page.goto('/search?query=disk');
    await searched;
    const tabs = page.getByRole('tab');
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click();
    }
    const again = page.waitForResponse(
      r => r.url().includes('/api/search/query') && r.url().includes('pay'),
      { timeout: 60_000 },
    );
    await page.goto('/search?query=pay');
    expect((await again).status()).toBe(200);
    expect(failed).toEqual([]);
  });
}
