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

// The deploy-image template end to end: the fixture Kubernetes API server on
// the port of the demo cluster k8s-demo (staging), Debian's docker-registry on
// the port of demo-registry (examples/entities.yaml) with a tag pushed by
// skopeo; dave (dev, owns payments-api) runs the template, the kubernetes
// module resolves the tag to its digest through the registry plugin and
// patches the pinned image, the step log shows the rollout.

const TOKEN = 'e2e-k8s-deploy-sa-token';
const COMPONENT = 'payments-api';
let cluster: FixtureCluster;
let registry: DemoRegistry;
let tag: BuiltTag;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  registry = await startDemoRegistry();
  tag = registry.layout.tag('1.9.0', [
    registry.layout.image({
      architecture: 'amd64',
      created: '2026-12-03T00:00:00Z',
    }),
  ]);
  await registry.push('1.9.0', `shop/${COMPONENT}`);
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

async function fillWhere(page: Page, labels: Record<string, RegExp>) {
  await page.getByRole('textbox', { name: labels.component }).fill(COMPONENT);
  await page
    .getByRole('option', { name: new RegExp(COMPONENT) })
    .first()
    .click();
  // the picker lists the cluster by its title
  await page.getByRole('textbox', { name: labels.cluster }).fill('Demo');
  await page
    .getByRole('option', { name: /k8s-demo|Demo cluster/ })
    .first()
    .click();
  await page.getByRole('textbox', { name: labels.namespace }).fill(NAMESPACE);
  await page.getByRole('textbox', { name: labels.deployment }).fill(COMPONENT);
  await page.getByRole('textbox', { name: labels.container }).fill('api');
}

test('a developer deploys a registry tag from the template: pinned digest, rollout in the log', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await signIn(page, 'dave');
  await page.goto('/create/templates/default/deploy-image');
  await fillWhere(page, {
    component: /^Component/,
    cluster: /^Cluster/,
    namespace: /^Namespace/,
    deployment: /^Deployment/,
    container: /^Container/,
  });
  await page.getByRole('button', { name: 'Next' }).click();
  // nothing picked: the form does not go on
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
  // the image is picked from the registry plugin's API: the only registry of
  // the catalog is chosen already, then a repository and one of its tags
  await expect(page.getByRole('textbox', { name: /^Registry/ })).toHaveValue(
    'Demo registry',
  );
  await page.getByRole('textbox', { name: /^Repository/ }).fill('payments');
  await page.getByRole('option', { name: `shop/${COMPONENT}` }).click();
  await page.getByRole('textbox', { name: /^Tag/ }).click();
  await page.getByRole('option', { name: '1.9.0' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  // the review shows the value the action gets
  await expect(
    page.getByText(`${registry.host}/shop/${COMPONENT}:1.9.0`).first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\//);
  const taskId = page.url().split('/create/tasks/')[1].split(/[/?#]/)[0];

  const pinned = `${registry.host}/shop/${COMPONENT}@${tag.digest}`;
  await expect.poll(imageOf, { timeout: 90_000 }).toBe(pinned);

  // the step log (as dave) shows the pinned image and the finished rollout
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'dave')}`,
  };
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `/api/scaffolder/v2/tasks/${taskId}/events`,
          { headers },
        );
        const events: any[] = res.status() === 200 ? await res.json() : [];
        return events.map(e => String(e.body?.message ?? '')).join('\n');
      },
      { timeout: 90_000, intervals: [1000] },
    )
    .toContain(`deployment "${COMPONENT}" successfully rolled out`);

  // audited with dave as the actor, tag and digest both recorded
  const alice = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const audit = await request.get(
    '/api/audit/events?plugin=kubernetes&action=kubernetes-deployment-image&limit=20',
    { headers: alice },
  );
  expect(audit.status()).toBe(200);
  expect(JSON.stringify(await audit.json())).toContain(tag.digest);
});

test('the template speaks zh-CN', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await inLanguage(page, 'zh-CN', async () => {
    await page.goto('/create/templates/default/deploy-image');
    await expect(page.getByText('部署镜像').first()).toBeVisible();
    await fillWhere(page, {
      component: /^组件/,
      cluster: /^集群/,
      namespace: /^命名空间/,
      deployment: /^部署（Deployment）/,
      container: /^容器/,
    });
    await expect(page.getByText('部署位置').first()).toBeVisible();
    await page.getByRole('button', { name: /^(下一步|Next)$/ }).click();
    // the registry tag picker in zh-CN
    await expect(page.getByRole('textbox', { name: /^镜像仓库/ })).toHaveValue(
      'Demo registry',
    );
    await page.getByRole('textbox', { name: /^仓库/ }).click();
    await page.getByRole('option', { name: `shop/${COMPONENT}` }).click();
    await page.getByRole('textbox', { name: /^标签/ }).click();
    await expect(page.getByRole('option', { name: '1.9.0' })).toBeVisible();
  });
});
