import { expect, Page, test } from '@playwright/test';
import {
  demoJenkinsLegacy,
  demoJenkinsMain,
  FixtureJenkins,
} from '@opsdeck/plugin-cicd-backend/testUtils';
import { signIn } from './helpers';

// CI/CD (plugins/cicd, plugins/cicd-backend). No Jenkins runs here: two
// fixture Jenkins speaking Jenkins' JSON API serve the demo jobs on the
// loopback ports e2e-tests/app-config.e2e.yaml names (instances main and
// legacy); examples/entities.yaml gives storefront-web their jobs.

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

async function openTab(page: Page, tab: string) {
  await page.goto('/catalog/default/component/storefront-web');
  // the entity page's tabs are links in the header
  await page.getByText(tab, { exact: true }).click();
}

test('a developer sees the builds of a component, opens the failed one, sees the cause and rebuilds', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'dave');
  await openTab(page, 'CI/CD');
  const rows = page.getByTestId('cicd-build-row');
  await expect(rows.first()).toContainText('main:shop/web');
  await expect(rows.first()).toContainText('#45');
  await expect(rows.first()).toContainText('Failed');
  await expect(rows).toHaveCount(20);
  // paging through the long history
  await page.getByRole('button', { name: 'Older' }).click();
  await expect(rows.first()).toContainText('#25');
  await page.getByRole('button', { name: 'Newer' }).click();

  await page
    .getByRole('button', { name: 'Open build main:shop/web #45' })
    .click();
  await expect(page.getByText('Failing stage: Build')).toBeVisible();
  const cause = page.getByTestId('cicd-cause').first();
  await expect(cause).toContainText('TypeScript compile error');
  await expect(cause).toContainText('Compile');
  await expect(cause.getByRole('link', { name: 'Runbook' })).toHaveAttribute(
    'href',
    /typescriptlang\.org/,
  );
  const highlighted = page.locator(
    '[data-testid="cicd-console"] [data-highlighted="true"]',
  );
  await expect(highlighted).toHaveCount(2);
  await expect(highlighted.first()).toContainText('error TS2322');

  await page.getByRole('button', { name: 'Rebuild' }).click();
  await expect(page.getByText(/Queued on Jenkins/)).toBeVisible();
  expect(main.started).toEqual([
    { job: 'shop/web', parameters: { TARGET: 'staging' } },
  ]);
});

test('in Simplified Chinese, a viewer reads a failed test of a multibranch build, without a rebuild button', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'erin');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openTab(page, 'CI/CD');
  // the multibranch builds are older than 40 of web's: third page
  await page.getByRole('button', { name: '更早的' }).click();
  await expect(page.getByTestId('cicd-build-row').first()).toContainText('#25');
  await page.getByRole('button', { name: '更早的' }).click();
  await page
    .getByRole('button', { name: '打开构建 main:shop/api/main #3' })
    .click();
  await expect(page.getByText('失败阶段：Test')).toBeVisible();
  const cause = page.getByTestId('cicd-cause').first();
  await expect(cause).toContainText('Jest 测试失败');
  await expect(cause).toContainText('测试');
  await expect(cause).toContainText('失败的测试：sum › adds two numbers');
  await expect(
    page.getByRole('link', { name: '处理手册' }).first(),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: '重新构建' })).toHaveCount(0);
  await page.getByRole('button', { name: '全部构建' }).click();
  await expect(page.getByRole('columnheader', { name: '分支' })).toBeVisible();
});
