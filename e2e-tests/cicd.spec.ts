import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  corpusLog,
  demoJenkinsLegacy,
  demoJenkinsMain,
  FixtureJenkins,
} from '@opsdeck/plugin-cicd-backend/testUtils';
import { createHmac } from 'node:crypto';
import { signIn, userToken } from './helpers';

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
  // a viewer may not add causes either
  await expect(page.getByRole('button', { name: '添加原因' })).toHaveCount(0);
  await page.getByRole('button', { name: '全部构建' }).click();
  await expect(page.getByRole('columnheader', { name: '分支' })).toBeVisible();
});

test('adding a cause: a developer picks a console line of a failed build, tries it, saves it, sees it located and deletes it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = 'Strict type check failed (e2e)';
  await signIn(page, 'dave');
  await openTab(page, 'CI/CD');
  await page
    .getByRole('button', { name: 'Open build main:shop/web #45' })
    .click();
  await expect(page.getByTestId('cicd-cause').first()).toContainText(
    'TypeScript compile error',
  );
  // line 22 of the console: `+ tsc --noEmit --strict index.ts`
  await page.getByRole('button', { name: 'Pick line 22' }).click();
  await page.getByRole('button', { name: 'Add a cause' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Add a cause to the knowledge base');
  const patterns = dialog.getByRole('textbox', { name: /^Patterns/ });
  await expect(patterns).toHaveValue(
    String.raw`\+ tsc --noEmit --strict index\.ts`,
  );
  const tried = dialog.getByTestId('cicd-cause-try');
  await expect(tried).toContainText(
    "Matches 1 of this build's console lines: 22",
  );
  // RE2 refuses lookaround: the backend says so, and Save stays disabled
  await patterns.fill('tsc(?= --strict)');
  await expect(tried).toContainText('This pattern cannot be used');
  await expect(tried).toContainText('Invalid pattern');
  await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  await patterns.fill(String.raw`^\+ tsc --noEmit --strict \S+\.ts$`);
  await expect(tried).toContainText(
    "Matches 1 of this build's console lines: 22",
  );
  await expect(dialog.getByRole('button', { name: /^Category/ })).toContainText(
    'Compile',
  );
  await dialog
    .getByRole('textbox', { name: /^Runbook URL/ })
    .fill('https://wiki.example.com/runbooks/strict-tsc');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(
    page.getByText(`Cause "${name}" added; the build was located again.`),
  ).toBeVisible();

  // the build is located again with the new cause first, its line highlighted
  const top = page.getByTestId('cicd-cause').first();
  await expect(top).toContainText(name);
  await expect(top).toContainText('Compile');
  await expect(top).toContainText('Lines 22');
  await expect(top.getByRole('link', { name: 'Runbook' })).toHaveAttribute(
    'href',
    'https://wiki.example.com/runbooks/strict-tsc',
  );
  await expect(page.getByTestId('cicd-cause').nth(1)).toContainText(
    'TypeScript compile error',
  );
  const highlighted = page.locator(
    '[data-testid="cicd-console"] [data-highlighted="true"]',
  );
  await expect(highlighted).toHaveCount(1);
  await expect(highlighted).toContainText('+ tsc --noEmit --strict index.ts');

  // the stored causes under the builds list; delete it
  await page.getByRole('button', { name: 'All builds' }).click();
  const row = page.getByTestId('cicd-stored-cause');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(name);
  await expect(row).toContainText('user:default/dave');
  await page.getByRole('button', { name: `Delete cause ${name}` }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText('No cause added yet.')).toBeVisible();
  await page
    .getByRole('button', { name: 'Open build main:shop/web #45' })
    .click();
  await expect(page.getByTestId('cicd-cause').first()).toContainText(
    'TypeScript compile error',
  );
});

test('adding a cause in Simplified Chinese: ops adds one to a failed jest build, a viewer sees it without delete', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const name = '求和断言失败';
  await signIn(page, 'bob');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openTab(page, 'CI/CD');
  await page.getByRole('button', { name: '更早的' }).click();
  await expect(page.getByTestId('cicd-build-row').first()).toContainText('#25');
  await page.getByRole('button', { name: '更早的' }).click();
  await page
    .getByRole('button', { name: '打开构建 main:shop/api/main #3' })
    .click();
  await expect(page.getByTestId('cicd-cause').first()).toContainText(
    'Jest 测试失败',
  );
  // line 30: `expect(received).toBe(expected) // Object.is equality`
  await page.getByRole('button', { name: '选择第 30 行' }).click();
  await page.getByRole('button', { name: '添加原因' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('向知识库添加原因');
  await expect(dialog.getByRole('textbox', { name: /^匹配模式/ })).toHaveValue(
    String.raw`expect\(received\)\.toBe\(expected\) // Object\.is equality`,
  );
  await expect(dialog.getByTestId('cicd-cause-try')).toContainText(
    '匹配本次构建的 1 行控制台日志：30',
  );
  await dialog.getByRole('textbox', { name: /^名称/ }).fill(name);
  await expect(dialog.getByRole('button', { name: /^类别/ })).toContainText(
    '测试',
  );
  await dialog.getByRole('button', { name: '保存' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(
    page.getByText(`已添加原因“${name}”，并已重新定位本次构建。`),
  ).toBeVisible();
  const added = page.getByTestId('cicd-cause').filter({ hasText: name });
  await expect(added).toContainText('测试');
  await expect(added).toContainText('第 30 行');
  await expect(
    page.getByTestId('cicd-cause').filter({ hasText: 'Jest 测试失败' }),
  ).toContainText('失败的测试：sum › adds two numbers');

  // a viewer (another browser context) sees the stored cause, cannot delete it
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
  });
  const viewer = await context.newPage();
  try {
    await signIn(viewer, 'erin');
    await openTab(viewer, 'CI/CD');
    const row = viewer.getByTestId('cicd-stored-cause');
    await expect(row).toContainText(name);
    await expect(row).toContainText('user:default/bob');
    await expect(
      viewer.getByRole('button', { name: /^(Delete cause|删除原因)/ }),
    ).toHaveCount(0);
  } finally {
    await context.close();
  }

  await page.getByRole('button', { name: '全部构建' }).click();
  await expect(page.getByText('人工添加的原因')).toBeVisible();
  await page.getByRole('button', { name: `删除原因 ${name}` }).click();
  await expect(page.getByTestId('cicd-stored-cause')).toHaveCount(0);
  await expect(
    page.getByText('还没有人工添加的原因', { exact: false }),
  ).toBeVisible();
});

// The signed intake (POST /api/cicd/intake/builds): GitLab's secret is the
// vault credential ci-intake-gitlab (owner ops) that
// e2e-tests/app-config.e2e.yaml names for the system gitlab.
const INTAKE_SECRET = 'e2e-intake-signing-secret-0123456789';

/**
 * Puts the intake secret into the vault (once) and posts GitLab CI build #7
 * of storefront-web, signed; checks a wrong signature and a replay are
 * refused. Posting it again (a new delivery) keeps the first post.
 */
async function postIntakeBuild(request: APIRequestContext) {
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const existing = await request.get(
    '/api/vault/credentials/ci-intake-gitlab',
    {
      headers,
    },
  );
  if (existing.status() !== 200) {
    const created = await request.post('/api/vault/credentials', {
      headers,
      data: {
        name: 'ci-intake-gitlab',
        type: 'password',
        username: 'gitlab',
        owner: 'ops',
        allowedUses: ['ci-intake'],
        description: 'Signing secret of the CI/CD build intake',
        secret: INTAKE_SECRET,
      },
    });
    expect([201, 409]).toContain(created.status());
  }
  const body = JSON.stringify({
    entityRef: 'component:default/storefront-web',
    system: 'gitlab',
    job: 'storefront/web:test',
    number: 7,
    result: 'FAILURE',
    branch: 'main',
    url: 'https://gitlab.example.com/storefront/web/-/jobs/7',
    timestamp: Date.now(),
    log: corpusLog('jest-assertion.log'),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const delivery = `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const signature = `sha256=${createHmac('sha256', INTAKE_SECRET)
    .update(`${timestamp}.${delivery}.${body}`)
    .digest('hex')}`;
  const post = (sig: string) =>
    request.post('/api/cicd/intake/builds', {
      headers: {
        'content-type': 'application/json',
        'x-opsdeck-timestamp': timestamp,
        'x-opsdeck-delivery': delivery,
        'x-opsdeck-system': 'gitlab',
        'x-opsdeck-signature-256': sig,
      },
      data: body,
    });
  expect((await post(`sha256=${'0'.repeat(64)}`)).status()).toBe(401);
  const accepted = await post(signature);
  expect(accepted.status()).toBe(202);
  expect((await accepted.json()).cause.id).toBe('jest-test-failure');
  expect((await post(signature)).status()).toBe(409);
}

test('a build GitLab CI posts through the signed intake shows among the builds with its cause, without a rebuild', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await postIntakeBuild(request);
  await signIn(page, 'dave');
  await openTab(page, 'CI/CD');
  const row = page.getByTestId('cicd-build-row').first();
  await expect(row).toContainText('storefront/web:test');
  await expect(row).toContainText('Posted by gitlab');
  await page
    .getByRole('button', {
      name: 'Open build @intake:gitlab/storefront/web:test #7',
    })
    .click();
  await expect(page.getByTestId('cicd-cause').first()).toContainText(
    'Jest test failed',
  );
  await expect(
    page.getByRole('link', { name: 'Open in gitlab' }),
  ).toHaveAttribute(
    'href',
    'https://gitlab.example.com/storefront/web/-/jobs/7',
  );
  await expect(page.getByRole('button', { name: 'Rebuild' })).toHaveCount(0);
});

test('in Simplified Chinese, a build posted through the intake says who posted it and links to that CI system', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await postIntakeBuild(request);
  await signIn(page, 'carol');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openTab(page, 'CI/CD');
  await expect(page.getByTestId('cicd-build-row').first()).toContainText(
    '由 gitlab 推送',
  );
  await page
    .getByRole('button', {
      name: '打开构建 @intake:gitlab/storefront/web:test #7',
    })
    .click();
  await expect(page.getByTestId('cicd-cause').first()).toContainText(
    'Jest 测试失败',
  );
  await expect(
    page.getByRole('link', { name: '在 gitlab 中打开' }),
  ).toBeVisible();
});

// The delivery timeline: GitLab CI posts a successful build of commit
// DEPLOY_SHA with its image, then the deploy webhook (the same signature
// check) posts that commit's deployment to production.
const DEPLOY_SHA = 'd3adbeef00112233445566778899aabbccddeeff';

async function postSigned(
  request: APIRequestContext,
  path: string,
  data: object,
) {
  const body = JSON.stringify(data);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const delivery = `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const signature = `sha256=${createHmac('sha256', INTAKE_SECRET)
    .update(`${timestamp}.${delivery}.${body}`)
    .digest('hex')}`;
  return request.post(path, {
    headers: {
      'content-type': 'application/json',
      'x-opsdeck-timestamp': timestamp,
      'x-opsdeck-delivery': delivery,
      'x-opsdeck-system': 'gitlab',
      'x-opsdeck-signature-256': signature,
    },
    data: body,
  });
}

async function postDelivery(request: APIRequestContext) {
  // puts GitLab's secret into the vault (once)
  await postIntakeBuild(request);
  const now = Date.now();
  const build = await postSigned(request, '/api/cicd/intake/builds', {
    entityRef: 'component:default/storefront-web',
    system: 'gitlab',
    job: 'storefront/web:image',
    number: 8,
    result: 'SUCCESS',
    branch: 'main',
    url: 'https://gitlab.example.com/storefront/web/-/jobs/8',
    commit: DEPLOY_SHA,
    timestamp: now - 10 * 60_000,
    durationMillis: 60_000,
    artifacts: [
      {
        name: 'registry.example.com/storefront/web:2.0.0',
        digest: `sha256:${'5e'.repeat(32)}`,
      },
    ],
    log: 'image pushed\n',
  });
  expect(build.status()).toBe(202);
  const deployment = {
    system: 'gitlab',
    entity: 'component:default/storefront-web',
    environment: 'production',
    version: '2.0.0',
    commit: DEPLOY_SHA,
    status: 'SUCCESS',
    url: 'https://gitlab.example.com/storefront/web/-/environments/1',
    timestamp: now - 5 * 60_000,
  };
  const deployed = await postSigned(
    request,
    '/api/cicd/intake/deployments',
    deployment,
  );
  expect(deployed.status()).toBe(202);
  // unsigned: refused
  const unsigned = await request.post('/api/cicd/intake/deployments', {
    headers: { 'content-type': 'application/json' },
    data: JSON.stringify(deployment),
  });
  expect(unsigned.status()).toBe(401);
}

test('the delivery timeline shows commit, build, image and deployment in order, and a deployment opens its build', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await postDelivery(request);
  await signIn(page, 'dave');
  await openTab(page, 'CI/CD');
  await expect(page.getByText('Delivery timeline')).toBeVisible();
  const rows = page.getByTestId('cicd-timeline-row');
  const deployment = rows
    .filter({ hasText: '2.0.0 to production by gitlab' })
    .first();
  await expect(deployment).toContainText('Deployed');
  await expect(deployment).toContainText(DEPLOY_SHA.slice(0, 8));
  const kinds = await rows
    .filter({ hasText: DEPLOY_SHA.slice(0, 8) })
    .evaluateAll(els => els.map(e => e.getAttribute('data-kind')));
  // the commit, its build and image come before its deployment(s)
  expect(kinds.slice(0, 4)).toEqual([
    'commit',
    'build',
    'artifact',
    'deployment',
  ]);
  await expect(
    rows
      .filter({ hasText: 'registry.example.com/storefront/web:2.0.0' })
      .first(),
  ).toBeVisible();
  await deployment
    .getByRole('button', {
      name: 'From build @intake:gitlab/storefront/web:image #8',
    })
    .click();
  await expect(
    page.getByRole('link', { name: 'Open in gitlab' }),
  ).toHaveAttribute(
    'href',
    'https://gitlab.example.com/storefront/web/-/jobs/8',
  );
});

test('in Simplified Chinese, the delivery timeline names the deployment and the build it came from', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await postDelivery(request);
  await signIn(page, 'erin');
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('option', { name: '简体中文' }).click();
  await openTab(page, 'CI/CD');
  await expect(page.getByText('交付时间线')).toBeVisible();
  const deployment = page
    .getByTestId('cicd-timeline-row')
    .filter({ hasText: 'gitlab 将 2.0.0 部署到 production' })
    .first();
  await expect(deployment).toContainText('已部署');
  await expect(deployment).toContainText('部署');
  await expect(
    deployment.getByRole('button', {
      name: '来自构建 @intake:gitlab/storefront/web:image #8',
    }),
  ).toBeVisible();
  await expect(
    page
      .getByTestId('cicd-timeline-row')
      .filter({ hasText: 'registry.example.com/storefront/web:2.0.0' })
      .first(),
  ).toContainText('制品');
});
