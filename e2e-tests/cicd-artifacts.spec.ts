import { expect, Page, test } from '@playwright/test';
import {
  demoJenkinsLegacy,
  demoJenkinsMain,
  FixtureJenkins,
} from '@opsdeck/plugin-cicd-backend/testUtils';
import { signIn } from './helpers';

// Jenkins artifacts in the delivery timeline and on the build, downloaded
// through opsdeck's backend; the ops panel of build alerts not delivered.
// The fixture Jenkins (ports of e2e-tests/app-config.e2e.yaml) serves the
// demo jobs: main:shop/web #44 archived four files.

let main: FixtureJenkins;
let legacy: FixtureJenkins;

test.beforeAll(async () => {
  main = demoJenkinsMain();
  legacy = demoJenkinsLegacy();
  await main.start(18380);
  await legacy.start(18381);
});

test.afterAll(async () => {
  await main?.stop();
  await legacy?.stop();
});

async function openTab(page: Page) {
  await page.goto('/catalog/default/component/storefront-web');
  await page.getByText('CI/CD', { exact: true }).click();
}

test('a developer downloads a Jenkins build’s archived file from the timeline and the build, through opsdeck', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openTab(page);
  const row = page
    .getByTestId('cicd-timeline-row')
    .filter({ hasText: 'web-1.4.0.tgz' })
    .first();
  await expect(row).toContainText('Artifact');
  // no Jenkins address for it: the download goes through the backend
  await expect(row.getByRole('link', { name: 'Open' })).toHaveCount(0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: 'web-1.4.0.tgz' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('web-1.4.0.tgz');
  expect(main.requests.map(r => r.path)).toContain(
    '/job/shop/job/web/44/artifact/dist/web-1.4.0.tgz',
  );
  // on the build itself, with Jenkins' display paths
  await page
    .getByTestId('cicd-timeline-row')
    .filter({ hasText: 'main:shop/web #44' })
    .first()
    .getByRole('button', { name: 'main:shop/web #44' })
    .click();
  const list = page.getByTestId('cicd-build-artifacts');
  await expect(list).toContainText('Artifacts');
  for (const name of ['unit/junit.xml', 'e2e/junit.xml', 'index.html']) {
    await expect(list.getByRole('button', { name })).toBeVisible();
  }
  // a developer does not manage alerts: no panel
  await expect(page.getByText('Build alerts not delivered')).toHaveCount(0);
});

test('in Simplified Chinese, ops sees the panel of build alerts not delivered and the artifacts', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openTab(page);
  const panel = page.getByTestId('cicd-given-up-alerts');
  await expect(panel).toContainText('未送达的构建告警');
  await expect(panel).toContainText('所有构建告警都已送达。');
  const row = page
    .getByTestId('cicd-timeline-row')
    .filter({ hasText: 'web-1.4.0.tgz' })
    .first();
  await expect(row).toContainText('制品');
  await expect(
    row.getByRole('button', { name: 'web-1.4.0.tgz' }),
  ).toHaveAttribute('title', '下载 dist/web-1.4.0.tgz（经由 opsdeck）');
});

test('a viewer does not see the panel of build alerts not delivered', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'erin');
  await openTab(page);
  await expect(page.getByTestId('cicd-timeline-row').first()).toBeVisible();
  await expect(page.getByTestId('cicd-given-up-alerts')).toHaveCount(0);
});
