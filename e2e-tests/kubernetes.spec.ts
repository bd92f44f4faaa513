import { expect, Page, test } from '@playwright/test';
import {
  FixtureCluster,
  NAMESPACE,
} from '@opsdeck/plugin-kubernetes-backend-module-opsdeck/testUtils';
import { signIn, userToken } from './helpers';

// Kubernetes (Backstage's kubernetes plugin with opsdeck's module). No
// Kubernetes API server can run here: the fixture API server of
// plugins/kubernetes-backend-module-opsdeck answers on the port the demo
// cluster k8s-demo names (examples/entities.yaml), with the token this spec
// puts in the vault as k8s-demo-token.

const TOKEN = 'e2e-k8s-demo-sa-token';
let cluster: FixtureCluster;

test.beforeAll(async ({ request }) => {
  cluster = new FixtureCluster(TOKEN);
  await cluster.start(18390);
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const existing = await request.get('/api/vault/credentials/k8s-demo-token', {
    headers,
  });
  if (existing.status() === 200) {
    const replaced = await request.put(
      '/api/vault/credentials/k8s-demo-token/secret',
      { headers, data: { secret: TOKEN } },
    );
    expect(replaced.status()).toBeLessThan(300);
    return;
  }
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: {
      name: 'k8s-demo-token',
      type: 'password',
      owner: 'ops',
      allowedUses: ['kubernetes-token', 'kubernetes-poll'],
      description: 'Service-account token of the demo cluster',
      secret: TOKEN,
    },
  });
  expect([201, 409]).toContain(created.status());
});

test.afterAll(async () => {
  await cluster?.stop();
});

async function openKubernetesTab(page: Page, tab: string) {
  await page.goto('/catalog/default/component/payments-api');
  await page.getByText(tab, { exact: true }).click();
}

test("a developer sees the component's workloads on the demo cluster, fetched with the vault's token", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openKubernetesTab(page, 'Kubernetes');
  await expect(page.getByText('Your Clusters')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByText(/Demo cluster|k8s-demo/).first()).toBeVisible();
  await expect(page.getByText('2 pods').first()).toBeVisible();
  const listed = cluster.requests.filter(
    r => r.path === `/api/v1/namespaces/${NAMESPACE}/pods`,
  );
  expect(listed.length).toBeGreaterThan(0);
  expect(listed.every(r => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  expect(listed[0].query.labelSelector).toBe(
    'backstage.io/kubernetes-id=payments-api',
  );
});

test('zh-CN: the Kubernetes tab speaks Chinese', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openKubernetesTab(page, 'Kubernetes');
  await expect(page.getByText('你的集群')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('2 个 Pod').first()).toBeVisible();
});

test('a person without a role sees no workloads', async ({ page }) => {
  test.setTimeout(120_000);
  cluster.requests.length = 0;
  await signIn(page, 'victor');
  await openKubernetesTab(page, 'Kubernetes');
  await expect(page.getByText('Permission required')).toBeVisible({
    timeout: 30_000,
  });
  // The module's running-images task (app-config.e2e.yaml: every 5 s) lists
  // every pod of the cluster with its own credentials, no person: that
  // cluster-wide list is not the page's doing.
  expect(cluster.requests.filter(r => r.path !== '/api/v1/pods')).toEqual([]);
});
