import { expect, Page, test } from '@playwright/test';
import {
  FixtureCluster,
  NAMESPACE,
} from '@opsdeck/plugin-kubernetes-backend-module-opsdeck/testUtils';
import { BuiltTag } from '@opsdeck/plugin-registry-backend/testUtils';
import {
  DEMO_CLUSTER_PORT,
  ensureDemoClusterToken,
  inLanguage,
  signIn,
  userToken,
} from './helpers';
import { DemoRegistry, startDemoRegistry } from './registryHelpers';

// #21: "Deploy image…" on the component's Kubernetes tab (plugins/kubernetes's
// workload actions card). payments-api names its image repository
// shop/payments-api of demo-registry (examples/entities.yaml); this spec
// pushes a tag there (Debian's docker-registry on demo-registry's port, skopeo)
// and starts the fixture Kubernetes API server on k8s-demo's port (staging:
// no approval). The dialog lists the registry's tags, the person picks one,
// the module patches the digest-pinned image and the card follows the rollout.

const TOKEN = 'e2e-k8s-tab-deploy-sa-token';
const COMPONENT = 'payments-api';
const REPOSITORY = `shop/${COMPONENT}`;
const CREATED = '2026-12-04T09:30:00Z';
const DEPLOYMENT_PATH = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${COMPONENT}`;
const FIXTURE_IMAGE = `registry.example.com/shop/${COMPONENT}:1.8.2`;
let cluster: FixtureCluster;
let registry: DemoRegistry;
let tag: BuiltTag;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  registry = await startDemoRegistry();
  tag = registry.layout.tag('2.0.0', [
    registry.layout.image({ architecture: 'amd64', created: CREATED }),
  ]);
  await registry.push('2.0.0', REPOSITORY);
  cluster = new FixtureCluster(TOKEN);
  await cluster.start(DEMO_CLUSTER_PORT);
  await ensureDemoClusterToken(request, TOKEN);
});

test.afterAll(async () => {
  await cluster?.stop();
  await registry?.stop();
});

const imageOf = () =>
  (cluster.find('Deployment', NAMESPACE, COMPONENT)!.spec as any).template.spec
    .containers[0].image;

async function openKubernetesTab(page: Page) {
  await page.goto(`/catalog/default/component/${COMPONENT}/kubernetes`);
  return page.getByTestId('kubernetes-actions');
}

test('an ops user deploys a registry tag from the Kubernetes tab: digest-pinned on the cluster, rollout followed', async ({
  page,
}) => {
  test.setTimeout(180_000);
  expect(imageOf()).toBe(FIXTURE_IMAGE);
  cluster.requests.length = 0;
  await signIn(page, 'bob');
  const card = await openKubernetesTab(page);
  const open = card.getByRole('button', { name: 'Deploy image…' });
  await expect(open).toBeEnabled({ timeout: 30_000 });
  await open.click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByText(`Deploy an image to ${COMPONENT} on Demo cluster`),
  ).toBeVisible();
  await expect(
    dialog.getByText(`Container api runs ${FIXTURE_IMAGE}`),
  ).toBeVisible();
  await expect(
    dialog.getByText(`${REPOSITORY} in resource:default/demo-registry`),
  ).toBeVisible();
  const deploy = dialog.getByRole('button', { name: 'Deploy', exact: true });
  // nothing picked yet: nothing to deploy
  await expect(deploy).toBeDisabled();
  const short = tag.digest.slice(0, 19);
  const created = await page.evaluate(
    c => new Date(c).toLocaleString('en'),
    CREATED,
  );
  await dialog
    .getByRole('radio', { name: `2.0.0 · ${short} · ${created}` })
    .check();
  const picked = `${registry.host}/${REPOSITORY}:2.0.0@${tag.digest}`;
  await expect(dialog.getByTestId('kubernetes-deploy-pinned')).toHaveText(
    `Deploys ${picked} (the digest shown, not whatever the tag is later)`,
  );
  await deploy.click();
  await expect(dialog).toHaveCount(0);

  const pinned = `${registry.host}/${REPOSITORY}@${tag.digest}`;
  await expect(
    card.getByText(
      `Deploying ${pinned} to ${COMPONENT} (was ${FIXTURE_IMAGE})`,
    ),
  ).toBeVisible({ timeout: 30_000 });
  const rollout = card.getByTestId('kubernetes-rollout');
  await expect(rollout.getByText(`Rollout of ${COMPONENT}`)).toBeVisible();
  await expect(rollout.getByText('Rollout complete')).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    rollout.getByText('2 of 2 updated, 2 ready, 2 available'),
  ).toBeVisible();

  // the demo cluster's state: the container runs the pinned digest, patched
  // once with the vault's token
  expect(imageOf()).toBe(pinned);
  const patches = cluster.requests.filter(
    r => r.method === 'PATCH' && r.path === DEPLOYMENT_PATH,
  );
  expect(patches).toHaveLength(1);
  expect(patches[0].authorization).toBe(`Bearer ${TOKEN}`);
  expect((patches[0].body as any)?.spec?.template?.spec?.containers).toEqual([
    { name: 'api', image: pinned },
  ]);
  const live = cluster.find('Deployment', NAMESPACE, COMPONENT)! as any;
  expect(live.status.updatedReplicas).toBe(live.spec.replicas);
  expect(live.status.availableReplicas).toBe(live.spec.replicas);

  // the tab re-reads the deployment: the dialog now names the new image
  await expect(open).toBeEnabled();
  await open.click();
  await expect(
    page.getByRole('dialog').getByText(`Container api runs ${pinned}`),
  ).toBeVisible({ timeout: 30_000 });
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Cancel' })
    .click();
  expect(
    cluster.requests.filter(
      r => r.method === 'PATCH' && r.path === DEPLOYMENT_PATH,
    ),
  ).toHaveLength(1);
});

test('zh-CN: the deploy dialog speaks Chinese, with the date as zh-CN writes it', async ({
  page,
}) => {
  test.setTimeout(150_000);
  cluster.requests.length = 0;
  await signIn(page, 'bob');
  await inLanguage(page, 'zh-CN', async () => {
    const card = await openKubernetesTab(page);
    const open = card.getByRole('button', { name: '部署镜像…' });
    await expect(open).toBeEnabled({ timeout: 30_000 });
    await expect(card.getByRole('button', { name: '回滚' })).toBeVisible();
    await open.click();
    const dialog = page.getByRole('dialog');
    await expect(
      dialog.getByText(`将镜像部署到集群 Demo cluster 上的 ${COMPONENT}`),
    ).toBeVisible();
    await expect(dialog.getByText(/^容器 api 当前运行 /)).toBeVisible();
    await expect(
      dialog.getByText(`resource:default/demo-registry 中的 ${REPOSITORY}`),
    ).toBeVisible();
    const created = await page.evaluate(
      c => new Date(c).toLocaleString('zh-CN'),
      CREATED,
    );
    // 2026/12/4 …: the zh-CN form, not the browser's en-US one
    expect(created).toMatch(/^2026\/12\/\d{1,2} /);
    await dialog
      .getByRole('radio', {
        name: `2.0.0 · ${tag.digest.slice(0, 19)} · ${created}`,
      })
      .check();
    await expect(dialog.getByTestId('kubernetes-deploy-pinned')).toHaveText(
      `将部署 ${registry.host}/${REPOSITORY}:2.0.0@${tag.digest}（即所示摘要，而非该标签日后指向的镜像）`,
    );
    await expect(
      dialog.getByRole('button', { name: '部署', exact: true }),
    ).toBeEnabled();
    await dialog.getByRole('button', { name: '取消' }).click();
    await expect(dialog).toHaveCount(0);
  });
  expect(cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
});

test('a viewer sees the deployment but no Deploy image…, and the route refuses the viewer', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  cluster.requests.length = 0;
  await signIn(page, 'erin');
  const card = await openKubernetesTab(page);
  await expect(card.getByText(COMPONENT).first()).toBeVisible({
    timeout: 30_000,
  });
  await expect(
    card.getByText(/needs .*opsdeck\.kubernetes\.deployment\.image/),
  ).toBeVisible();
  await expect(card.getByRole('button', { name: 'Deploy image…' })).toHaveCount(
    0,
  );
  await expect(card.getByRole('button', { name: 'Roll back' })).toHaveCount(0);
  // and asking the module directly does not get past its guard
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'erin')}`,
  };
  const res = await request.post('/api/kubernetes/opsdeck/deployments/image', {
    headers,
    data: {
      entityRef: `component:default/${COMPONENT}`,
      cluster: 'k8s-demo',
      namespace: NAMESPACE,
      name: COMPONENT,
      container: 'api',
      image: `${registry.host}/${REPOSITORY}:2.0.0@${tag.digest}`,
    },
  });
  expect(res.status()).toBe(403);
  expect(cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
});
