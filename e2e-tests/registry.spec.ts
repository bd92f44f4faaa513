import { expect, Page, test } from '@playwright/test';
import {
  FixtureCluster,
  runningPod,
} from '@opsdeck/plugin-kubernetes-backend-module-opsdeck/testUtils';
import { BuiltTag } from '@opsdeck/plugin-registry-backend/testUtils';
import zhCN from '../plugins/registry/src/translation/zhCN';
import {
  DEMO_CLUSTER_PORT,
  ensureDemoClusterToken,
  inLanguage,
  signIn,
  userToken,
} from './helpers';
import { DemoRegistry, startDemoRegistry } from './registryHelpers';

// The image registry page against Debian's docker-registry on the port the
// demo registry names (examples/entities.yaml, demo-registry), with images
// built here as OCI layouts and pushed with skopeo. "Running on" comes from
// the real chain: the fixture Kubernetes API server (k8s-demo, 18390) runs a
// pod of shop/web:v2, the Kubernetes module's scheduled task lists its pods
// with the vault's token (use kubernetes-poll) and reports the digest to the
// registry plugin, which refuses to delete that tag.

test.describe.configure({ mode: 'serial' });

const TOKEN = 'e2e-k8s-demo-sa-token';
const REPO = 'shop/web';
const API = '/api/registry/registries/default/demo-registry';
const POD = 'web-6c9d7f-x2k4p';

let registry: DemoRegistry;
let cluster: FixtureCluster;
const tags: Record<string, BuiltTag> = {};

const TEXT = {
  en: {
    running: (where: string) => `Running on Pod ${where}`,
    notRunning: 'Not known to run anywhere.',
    deleteButton: 'Delete tag',
    confirm: 'Delete',
    done: (tag: string) => `Deleted ${REPO}:${tag}.`,
    allTags: 'All tags',
    platform: 'Platform',
    // the server's refusal, by its code (registry-image-running)
    runningRefused: (image: string, places: string) =>
      `${image} is running on ${places}; it is not deleted`,
    cardNewest: /^Newest \d+ of \d+ tags$/,
    runningColumn: 'Running on',
    components: `Components that ship ${REPO}`,
  },
  'zh-CN': {
    running: (where: string) =>
      zhCN['manifest.running'].replace(
        '{{places}}',
        zhCN['manifest.runningPod'].replace('{{where}}', where),
      ),
    notRunning: zhCN['manifest.notRunning'],
    deleteButton: zhCN['delete.button'],
    confirm: zhCN['delete.confirm'],
    done: (tag: string) =>
      zhCN['delete.done']
        .replace('{{tags}}', `${REPO}:${tag}`)
        .replace('{{gc}}', ''),
    allTags: zhCN['manifest.back'],
    platform: zhCN['manifest.platform'],
    runningRefused: (image: string, places: string) =>
      zhCN['errors.codes.imageRunning']
        .replace('{{image}}', image)
        .replace('{{places}}', places),
    cardNewest: /^最新的 \d+ 个标签（共 \d+ 个）$/,
    runningColumn: zhCN['manifest.runningColumn'],
    components: zhCN['components.title'].replace('{{repository}}', REPO),
  },
} as const;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  registry = await startDemoRegistry();
  const layout = registry.layout;
  tags.v1 = layout.tag('v1', [
    layout.image({ architecture: 'amd64', created: '2026-11-01T00:00:00Z' }),
  ]);
  tags.v2 = layout.tag('v2', [
    layout.image({ architecture: 'amd64', created: '2026-12-01T00:00:00Z' }),
    layout.image({
      architecture: 'arm64',
      variant: 'v8',
      created: '2026-12-01T00:05:00Z',
    }),
  ]);
  tags['old-en'] = layout.tag('old-en', [
    layout.image({ architecture: 'amd64', created: '2026-01-01T00:00:00Z' }),
  ]);
  tags['old-zh'] = layout.tag('old-zh', [
    layout.image({ architecture: 'amd64', created: '2026-01-02T00:00:00Z' }),
  ]);
  for (const tag of Object.keys(tags)) {
    await registry.push(tag, REPO);
  }
  await registry.push('v1', 'shop/api');

  // k8s-demo runs shop/web:v2 (the kubelet reports the index digest it pulled)
  cluster = new FixtureCluster(TOKEN);
  cluster.objects.push(
    runningPod({
      namespace: 'shop',
      name: POD,
      image: `${registry.host}/${REPO}:v2`,
      imageID: `${registry.host}/${REPO}@${tags.v2.digest}`,
    }),
  );
  await cluster.start(DEMO_CLUSTER_PORT);
  await ensureDemoClusterToken(request, TOKEN);

  // the scheduled task (every 5 s in app-config.e2e.yaml) reports it
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${API}/manifest?repository=${encodeURIComponent(REPO)}&reference=v2`,
          { headers },
        );
        return res.status() === 200 ? (await res.json()).running : res.status();
      },
      { timeout: 90_000, intervals: [1000] },
    )
    .toEqual([
      { kind: 'pod', where: `k8s-demo/shop/${POD}`, digest: tags.v2.digest },
    ]);
  // read with the poll use, never with a person's
  expect(
    cluster.requests.some(
      r => r.path === '/api/v1/pods' && r.query.limit === '500',
    ),
  ).toBe(true);
});

test.afterAll(async () => {
  await cluster?.stop();
  await registry?.stop();
});

async function openTag(page: Page, tag: string) {
  await page.goto('/registry');
  await page.getByRole('button', { name: REPO, exact: true }).click();
  await page.getByRole('button', { name: tag, exact: true }).click();
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`(${lang}) an ops engineer browses repositories, tags and platforms, sees where a digest runs, cannot delete it, deletes an unused tag`, async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    const text = TEXT[lang];
    await signIn(page, 'alice');
    await inLanguage(page, lang, async () => {
      // repositories → tags → manifest per platform
      await page.goto('/registry');
      await expect(
        page.getByRole('button', { name: 'shop/api', exact: true }),
      ).toBeVisible({ timeout: 30_000 });
      await page.getByRole('button', { name: REPO, exact: true }).click();
      for (const tag of ['v1', 'v2']) {
        await expect(
          page.getByRole('button', { name: tag, exact: true }),
        ).toBeVisible();
      }
      await page.getByRole('button', { name: 'v2', exact: true }).click();
      await expect(page.getByText(tags.v2.digest).first()).toBeVisible();
      await expect(
        page.getByRole('cell', { name: text.platform }),
      ).toBeVisible();
      await expect(
        page.getByRole('cell', { name: 'linux/amd64', exact: true }),
      ).toBeVisible();
      await expect(
        page.getByRole('cell', { name: 'linux/arm64/v8', exact: true }),
      ).toBeVisible();

      // running on the fixture cluster's pod
      await expect(page.getByTestId('registry-running')).toHaveText(
        text.running(`k8s-demo/shop/${POD}`),
      );

      // deleting it is refused with the reason
      await page.getByRole('button', { name: text.deleteButton }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: text.confirm, exact: true })
        .click();
      // the refusal in the reader's language (its code), never the server's English
      await expect(page.getByRole('dialog')).toContainText(
        text.runningRefused(`${REPO}:v2`, `k8s-demo/shop/${POD}`),
      );
      await page.keyboard.press('Escape');
      const still = await request.get(
        `${API}/manifest?repository=${encodeURIComponent(REPO)}&reference=v2`,
        {
          headers: {
            Authorization: `Bearer ${await userToken(request, 'alice')}`,
          },
        },
      );
      expect(still.status()).toBe(200);

      // a tag nothing runs is deleted, and audited with the person
      const tag = lang === 'en' ? 'old-en' : 'old-zh';
      await page.getByRole('button', { name: text.allTags }).click();
      await page.getByRole('button', { name: tag, exact: true }).click();
      await expect(page.getByText(text.notRunning)).toBeVisible();
      await page.getByRole('button', { name: text.deleteButton }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: text.confirm, exact: true })
        .click();
      await expect(page.getByText(text.done(tag))).toBeVisible();
      await expect(
        page.getByRole('button', { name: tag, exact: true }),
      ).toHaveCount(0);
      const headers = {
        Authorization: `Bearer ${await userToken(request, 'alice')}`,
      };
      const audit = await request.get(
        '/api/audit/events?plugin=registry&action=registry-tag-delete&limit=50',
        { headers },
      );
      expect(audit.status()).toBe(200);
      const events = (await audit.json()).items as Array<{
        actor: string;
        status: string;
        meta?: Record<string, unknown>;
      }>;
      expect(events).toContainEqual(
        expect.objectContaining({
          actor: 'user:default/alice',
          status: 'succeeded',
          meta: expect.objectContaining({ repository: REPO, tag }),
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({
          actor: 'user:default/alice',
          status: 'failed',
          meta: expect.objectContaining({ repository: REPO, tag: 'v2' }),
        }),
      );
    });
  });
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`(${lang}) a component page shows its repository's newest tags and where they run, and the registry browser names the component back`, async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const text = TEXT[lang];
    await signIn(page, 'alice');
    await inLanguage(page, lang, async () => {
      // storefront-web names demo-registry's shop/web (examples/entities.yaml)
      await page.goto('/catalog/default/component/storefront-web');
      const card = page.getByTestId(
        `image-repository-resource:default/demo-registry/${REPO}`,
      );
      await expect(card.getByText(text.cardNewest)).toBeVisible({
        timeout: 30_000,
      });
      await expect(
        card.getByRole('columnheader', { name: text.runningColumn }),
      ).toBeVisible();
      const v2 = card.getByRole('row').filter({
        has: page.getByRole('cell', { name: 'v2', exact: true }),
      });
      await expect(v2).toContainText(tags.v2.digest.slice(0, 19));
      await expect(v2).toContainText(`Pod k8s-demo/shop/${POD}`);
      const v1 = card.getByRole('row').filter({
        has: page.getByRole('cell', { name: 'v1', exact: true }),
      });
      await expect(v1).toContainText(tags.v1.digest.slice(0, 19));
      await expect(v1).not.toContainText('k8s-demo');

      // the repository in the registry browser, with the component named back
      await card.getByRole('link', { name: REPO, exact: true }).click();
      await expect(page).toHaveURL(/\/registry\?registry=/);
      const components = page.getByTestId('registry-repository-components');
      await expect(components).toContainText(text.components);
      await expect(
        components.getByRole('link', { name: 'storefront-web' }),
      ).toHaveAttribute('href', '/catalog/default/component/storefront-web');
      await expect(
        page.getByRole('button', { name: 'v2', exact: true }),
      ).toBeVisible();
    });
  });
}

test('a viewer sees where a digest runs and no delete button', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page, 'erin');
  await openTag(page, 'v2');
  await expect(page.getByTestId('registry-running')).toHaveText(
    TEXT.en.running(`k8s-demo/shop/${POD}`),
  );
  await expect(page.getByText(tags.v2.digest).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete tag' })).toHaveCount(0);
});
