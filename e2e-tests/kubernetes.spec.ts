import { expect, Page, test } from '@playwright/test';
import {
  FixtureCluster,
  NAMESPACE,
} from '@opsdeck/plugin-kubernetes-backend-module-opsdeck/testUtils';
import {
  DEMO_CLUSTER_PORT,
  ensureDemoClusterToken,
  inLanguage,
  signIn,
} from './helpers';

// Kubernetes (Backstage's kubernetes plugin with opsdeck's module). No
// Kubernetes API server can run here: the fixture API server of
// plugins/kubernetes-backend-module-opsdeck answers on the port the demo
// cluster k8s-demo names (examples/entities.yaml), with the token this spec
// puts in the vault as k8s-demo-token.

const TOKEN = 'e2e-k8s-demo-sa-token';
let cluster: FixtureCluster;

test.beforeAll(async ({ request }) => {
  cluster = new FixtureCluster(TOKEN);
  await cluster.start(DEMO_CLUSTER_PORT);
  await ensureDemoClusterToken(request, TOKEN);
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
  await inLanguage(page, 'zh-CN', async () => {
    await openKubernetesTab(page, 'Kubernetes');
    await expect(page.getByText('你的集群')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('2 个 Pod').first()).toBeVisible();
  });
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

// opsdeck's workload actions above Backstage's content (plugins/kubernetes):
// the buttons call /api/kubernetes/opsdeck, which patches the fixture.

const DEPLOYMENT_PATH = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/payments-api`;

test('an ops user restarts and scales a deployment on the demo cluster, and the cluster is patched', async ({
  page,
}) => {
  test.setTimeout(180_000);
  cluster.requests.length = 0;
  await signIn(page, 'bob');
  await openKubernetesTab(page, 'Kubernetes');
  const card = page.getByTestId('kubernetes-actions');
  await expect(card.getByRole('button', { name: 'Restart' })).toBeVisible({
    timeout: 30_000,
  });
  await card.getByRole('button', { name: 'Restart' }).click();
  await expect(
    page.getByText('Restart deployment payments-api on Demo cluster?'),
  ).toBeVisible();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Confirm' })
    .click();
  await expect(card.getByText('Restarted payments-api')).toBeVisible({
    timeout: 30_000,
  });
  // the rollout the restart started, followed live to its end: the
  // fixture's controller takes one step per read of the deployment
  const rollout = card.getByTestId('kubernetes-rollout');
  await expect(rollout.getByText('Rollout of payments-api')).toBeVisible();
  await expect(
    rollout.getByText(
      /^New ReplicaSet payments-api-[0-9a-f]{10} \(revision \d+\)$/,
    ),
  ).toBeVisible({ timeout: 30_000 });
  await expect(rollout.getByText('Rollout complete')).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    rollout.getByText('2 of 2 updated, 2 ready, 2 available'),
  ).toBeVisible();
  const reads = cluster.requests.filter(
    r => r.method === 'GET' && r.path === DEPLOYMENT_PATH,
  );
  // read step by step (the restart's own read, then one per step)
  expect(reads.length).toBeGreaterThanOrEqual(5);
  expect(reads.every(r => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  const restart = cluster.requests.find(
    r => r.method === 'PATCH' && r.path === DEPLOYMENT_PATH,
  );
  expect(restart?.authorization).toBe(`Bearer ${TOKEN}`);
  expect(
    (restart?.body as any)?.spec?.template?.metadata?.annotations?.[
      'kubectl.kubernetes.io/restartedAt'
    ],
  ).toBeTruthy();

  await card.getByLabel('Replicas for payments-api').fill('3');
  await card.getByRole('button', { name: 'Scale' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Confirm' })
    .click();
  await expect(
    card.getByText(/Scaled payments-api from \d+ to 3 replicas/),
  ).toBeVisible({ timeout: 30_000 });
  const scale = cluster.requests.find(
    r => r.method === 'PATCH' && r.path === `${DEPLOYMENT_PATH}/scale`,
  );
  expect(scale?.body).toEqual({ spec: { replicas: 3 } });
});

test('an ops user rolls the deployment back to the revision the confirmation names', async ({
  page,
}) => {
  test.setTimeout(180_000);
  // the restart above rolled out a new ReplicaSet: the one before it is the
  // revision a rollback goes back to (as `kubectl rollout undo` picks it)
  const before = cluster.find('Deployment', NAMESPACE, 'payments-api')!;
  const current = Number(
    (before.metadata as any).annotations['deployment.kubernetes.io/revision'],
  );
  expect(current).toBeGreaterThan(1);
  cluster.requests.length = 0;
  await signIn(page, 'bob');
  await openKubernetesTab(page, 'Kubernetes');
  const card = page.getByTestId('kubernetes-actions');
  const button = card.getByRole('button', { name: 'Roll back' });
  await expect(button).toBeEnabled({ timeout: 30_000 });
  await button.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(
    new RegExp(
      `Roll back deployment payments-api on Demo cluster to revision (\\d+) \\(api=[^)]+\\)\\?`,
    ),
  );
  const revision = Number(
    /to revision (\d+)/.exec((await dialog.textContent()) ?? '')![1],
  );
  expect(revision).toBeLessThan(current);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(
    card.getByText(`Rolling payments-api back to revision ${revision}`),
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    card.getByTestId('kubernetes-rollout').getByText('Rollout complete'),
  ).toBeVisible({ timeout: 60_000 });
  const undo = cluster.requests.find(
    r => r.method === 'PATCH' && r.path === DEPLOYMENT_PATH,
  );
  expect(undo?.contentType).toMatch(/^application\/json-patch\+json/);
  expect(undo?.authorization).toBe(`Bearer ${TOKEN}`);
});

test('a viewer sees the workloads but no action buttons, with the missing permissions named', async ({
  page,
}) => {
  test.setTimeout(120_000);
  cluster.requests.length = 0;
  await signIn(page, 'erin');
  await openKubernetesTab(page, 'Kubernetes');
  const card = page.getByTestId('kubernetes-actions');
  await expect(
    card.getByText(/needs opsdeck\.kubernetes\.deployment\.restart/),
  ).toBeVisible({ timeout: 30_000 });
  await expect(card.getByText('payments-api').first()).toBeVisible();
  for (const name of [
    'Restart',
    'Scale',
    'Delete pod',
    /Download logs/,
    'Deploy image…',
    'Roll back',
  ]) {
    await expect(card.getByRole('button', { name })).toHaveCount(0);
  }
  expect(cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
});

test("a developer downloads a pod's container log through the read-only proxy", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openKubernetesTab(page, 'Kubernetes');
  const card = page.getByTestId('kubernetes-actions');
  const button = card.getByRole('button', { name: 'Download logs (api)' });
  await expect(button.first()).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    button.first().click(),
  ]);
  expect(download.suggestedFilename()).toMatch(
    /^payments-api-[a-z0-9-]+-api-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.log$/,
  );
  const file = await download.path();
  const { readFile } = await import('node:fs/promises');
  expect(await readFile(file, 'utf8')).toContain('INFO');
  const read = cluster.requests.filter(r => r.path.endsWith('/log'));
  expect(read.length).toBeGreaterThan(0);
  expect(read[read.length - 1].query.limitBytes).toBe(String(16 * 1024 * 1024));
});

test('zh-CN: the workload actions speak Chinese', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await inLanguage(page, 'zh-CN', async () => {
    await openKubernetesTab(page, 'Kubernetes');
    const card = page.getByTestId('kubernetes-actions');
    await expect(page.getByText('工作负载操作')).toBeVisible({
      timeout: 30_000,
    });
    await expect(card.getByRole('button', { name: '重启' })).toBeVisible();
    await expect(card.getByRole('button', { name: '扩缩容' })).toBeVisible();
    // a restart's rollout, followed live, in Chinese
    await card.getByRole('button', { name: '重启' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: '确认' })
      .click();
    await expect(card.getByText('payments-api 的发布进度')).toBeVisible({
      timeout: 30_000,
    });
    await expect(card.getByText('发布完成')).toBeVisible({ timeout: 60_000 });
    await expect(
      card.getByText(/^已更新 (\d+) \/ \1，就绪 \1，可用 \1$/),
    ).toBeVisible();
    await expect(
      card.getByRole('button', { name: '下载日志（api）' }).first(),
    ).toBeVisible();
  });
});
