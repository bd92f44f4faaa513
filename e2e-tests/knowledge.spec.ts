import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// The knowledge base: TechDocs built here with Debian's mkdocs
// (plugins/techdocs-backend-module-opsdeck), the Runbooks card on entity
// pages (plugins/knowledge), docs in search with the catalog. The demo
// component payments-api (examples/docs/payments-api) has runbooks; the host
// pay-app-01 shows them because payments-api depends on it.

const RESTART = 'Restart the payments API';
const DISK_FULL = 'Disk full on an app host';

/** Switches the signed-in user's interface to Simplified Chinese. */
async function useChinese(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
}

/** The search API's techdocs results for `term`, as `user` gets them. */
async function docsResults(
  request: APIRequestContext,
  user: string,
  term: string,
) {
  const res = await request.get(
    `/api/search/query?term=${encodeURIComponent(term)}&types[0]=techdocs`,
    { headers: { Authorization: `Bearer ${await userToken(request, user)}` } },
  );
  expect(res.status()).toBe(200);
  return (await res.json()).results as Array<{
    document: { title: string; location: string };
  }>;
}

test('a developer opens a service runbook from its Runbooks card and from a host that runs it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, 'dave');

  // The component's page: its own runbooks, built on demand if the
  // scheduled build has not reached them yet.
  await page.goto('/catalog/default/component/payments-api');
  const runbooks = page.getByTestId('runbook');
  await expect(runbooks.first()).toBeVisible({ timeout: 120_000 });
  await expect(runbooks).toHaveCount(3);
  await runbooks.getByRole('link', { name: RESTART }).click();
  await expect(page).toHaveURL(
    /\/docs\/default\/component\/payments-api\/runbooks\/restart\/?$/,
  );
  // TechDocs renders the page mkdocs built: the heading and the admonition
  // (a Markdown extension opsdeck configures instead of techdocs-core).
  await expect(
    page.getByRole('heading', { name: RESTART }).first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('One host at a time').first()).toBeVisible();

  // A host's page lists the runbooks of the services that run on it.
  await page.goto('/catalog/default/resource/pay-app-01');
  const hostRunbooks = page.getByTestId('runbook');
  await expect(hostRunbooks.getByRole('link', { name: DISK_FULL })).toBeVisible(
    { timeout: 60_000 },
  );
  await expect(
    page.getByText('From the docs of component:default/payments-api'),
  ).toBeVisible();

  // opsdeck's own docs/ are the opsdeck component's TechDocs.
  await page.goto('/docs/default/component/opsdeck/knowledge-base/');
  await expect(
    page
      .getByRole('heading', { name: 'Knowledge base and weekly report' })
      .first(),
  ).toBeVisible({ timeout: 120_000 });
});

test('a runbook is found in search with the catalog, and the knowledge base speaks Chinese', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  // The collator indexes built docs every 15 s in this run (app-config.e2e.yaml).
  await expect(async () => {
    const results = await docsResults(request, 'dave', 'disk full');
    expect(results.map(r => r.document.title)).toContain(DISK_FULL);
  }).toPass({ timeout: 180_000 });

  await signIn(page, 'dave');
  await page.goto('/search?query=disk%20full');
  const hit = page.getByRole('link', { name: DISK_FULL }).first();
  await expect(hit).toBeVisible({ timeout: 30_000 });
  await hit.click();
  await expect(page).toHaveURL(/\/docs\/default\/component\/payments-api\//);
  await expect(
    page.getByRole('heading', { name: DISK_FULL }).first(),
  ).toBeVisible({
    timeout: 60_000,
  });

  // zh-CN: the Runbooks card and TechDocs' own screens.
  await useChinese(page);
  await page.goto('/catalog/default/resource/pay-app-01');
  await expect(page.getByText('运维手册').first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByText('来自 component:default/payments-api 的文档'),
  ).toBeVisible();
  await page
    .getByTestId('runbook')
    .getByRole('link', { name: DISK_FULL })
    .click();
  await expect(
    page.getByRole('heading', { name: DISK_FULL }).first(),
  ).toBeVisible({
    timeout: 60_000,
  });
  // The page's text is the runbook's own (it names the Chinese term too).
  await expect(page.getByText('磁盘已满').first()).toBeVisible();
});
