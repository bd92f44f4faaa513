import { APIRequestContext, expect, test } from '@playwright/test';
import { ensureDemoSshCredential, signIn, userToken } from './helpers';

// Host facts in Backstage search: cmdb-backend's searchModuleOpsdeckHosts
// indexes every CMDB host with the facts collected over SSH (document type
// opsdeck-host), visible only with opsdeck.cmdb.host.read. The e2e config
// re-indexes every 15 s (app-config.e2e.yaml, search.collators.opsdeckHosts).
// web-02 is a demo catalog host: sshd on 127.0.0.1:22304.
const HOST = 'web-02';

async function bearer(request: APIRequestContext, user: string) {
  return { Authorization: `Bearer ${await userToken(request, user)}` };
}

/** Collects the host's facts now (as bob, ops) and returns them. */
async function collectFacts(request: APIRequestContext) {
  const headers = await bearer(request, 'bob');
  let facts: { os?: string; kernel?: string; reachable?: boolean } = {};
  // the CMDB takes the demo hosts in from the catalog shortly after start
  await expect(async () => {
    const res = await request.post(`/api/cmdb/hosts/${HOST}/collect`, {
      headers,
    });
    expect(res.status(), await res.text()).toBe(200);
    facts = await res.json();
    expect(facts.reachable).toBe(true);
  }).toPass({ timeout: 120_000 });
  expect(facts.os).toBeTruthy();
  expect(facts.kernel).toMatch(/\d+\.\d+/);
  return facts as { os: string; kernel: string };
}

/** The search API's results for `term`, as `user` gets them. */
async function searchAs(
  request: APIRequestContext,
  user: string,
  term: string,
) {
  const res = await request.get(
    `/api/search/query?term=${encodeURIComponent(term)}`,
    { headers: await bearer(request, user) },
  );
  expect(res.status()).toBe(200);
  return (await res.json()).results as Array<{
    type: string;
    document: { title: string; location: string };
  }>;
}

test('an ops user finds a host by its kernel in search; a user without host read does not', async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  const { os, kernel } = await collectFacts(request);

  // bob (ops) types the kernel into the search page and sees the host with its facts
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signIn(bob, 'bob');
  const result = bob
    .getByTestId('host-search-result')
    .filter({ has: bob.getByRole('link', { name: HOST, exact: true }) });
  await expect(async () => {
    await bob.goto('/search');
    await bob.getByRole('textbox', { name: /search/i }).fill(kernel);
    // until the index has the collected facts (fuzzy matching may find the
    // host before that, without them)
    await expect(result).toContainText(kernel, { timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await expect(result).toContainText(os);
  await expect(result).toContainText('Reachable');
  await result.getByRole('link', { name: HOST, exact: true }).click();
  await expect(bob).toHaveURL(
    new RegExp(`/catalog/default/resource/${HOST}#host-facts$`),
  );
  await bobContext.close();

  // the same query at the same index: bob's results have the host, victor's
  // (signed in, no opsdeck role, so no opsdeck.cmdb.host.read) have neither
  // the host nor its facts under another type
  const forBob = await searchAs(request, 'bob', kernel);
  expect(
    forBob.filter(r => r.type === 'opsdeck-host').map(r => r.document.title),
  ).toContain(HOST);
  const forVictor = await searchAs(request, 'victor', kernel);
  expect(forVictor.filter(r => r.type === 'opsdeck-host')).toEqual([]);
  expect(JSON.stringify(forVictor.map(r => r.document))).not.toContain(kernel);

  const victorContext = await browser.newContext();
  const victor = await victorContext.newPage();
  await signIn(victor, 'victor');
  await victor.goto(`/search?query=${encodeURIComponent(kernel)}`);
  // wait until the page shows an answer of the kind the API gave victor (its
  // ranking may differ from the page's query: TechDocs pages of opsdeck's own
  // docs match too), then check it
  await expect(
    forVictor.length > 0
      ? victor
          .getByRole('article')
          .getByRole('listitem')
          .getByRole('link')
          .first()
      : victor.getByText(/no results/i).first(),
  ).toBeVisible();
  await expect(victor.getByTestId('host-search-result')).toHaveCount(0);
  await expect(victor.getByText(kernel)).toHaveCount(0);
  await victorContext.close();
});
