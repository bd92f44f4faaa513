import { randomBytes } from 'node:crypto';
import {
  APIRequestContext,
  expect,
  Page,
  test,
  TestInfo,
} from '@playwright/test';
import { Client } from 'pg';
import {
  ensureDemoDbCredential,
  ensureDemoSshCredential,
  inLanguage,
  setLanguage,
  signIn,
  testPostgres,
  userToken,
} from './helpers';

// The workbench (#16 item 2) is the landing page, per role, in en and zh-CN,
// at 1280x800 and 1920x1080; flows without dead ends (#16 item 5): the ticket
// a template opened, Tickets on "Mine", SQL change / session URLs, replay with
// who, where, when and clickable commands.

const TEXT = {
  en: {
    title: 'Workbench',
    cards: {
      approvals: 'Waiting for my approval',
      access: 'My access',
      jobs: 'Recent runs and failed schedules',
      tickets: 'My open tickets',
      unreachable: 'Unreachable hosts',
      prod: 'Recent changes on prod',
      alerts: 'Firing alerts',
    },
    welcome: 'Read the audit log',
    loadError: /Could not load/,
    openTicket: 'Open the ticket',
    mine: 'My requests',
    user: 'User',
    host: 'Host',
    duration: 'Duration',
    stillOpen: 'still open',
    play: 'Play',
  },
  'zh-CN': {
    title: '工作台',
    cards: {
      approvals: '待我审批',
      access: '我的访问权限',
      jobs: '最近执行与失败的定时任务',
      tickets: '我的未完成工单',
      unreachable: '不可达主机',
      prod: '生产环境最近变更',
      alerts: '正在触发的告警',
    },
    welcome: '查看审计日志',
    loadError: /加载失败/,
    openTicket: '打开工单',
    mine: '我的申请',
    user: '用户',
    host: '主机',
    duration: '时长',
    stillOpen: '仍在进行',
    play: '播放',
  },
} as const;

type Card = keyof (typeof TEXT)['en']['cards'];
const ALL_CARDS: Card[] = [
  'approvals',
  'access',
  'jobs',
  'tickets',
  'unreachable',
  'prod',
  'alerts',
];

/** The cards each demo user's role lets them read (opsdeck-policy's grants). */
const ROLES: { user: string; role: string; cards: Card[] }[] = [
  { user: 'alice', role: 'admin+ops', cards: ALL_CARDS },
  { user: 'bob', role: 'ops', cards: ALL_CARDS },
  {
    user: 'carol',
    role: 'dba',
    cards: ['approvals', 'access', 'jobs', 'tickets', 'unreachable', 'alerts'],
  },
  {
    user: 'dave',
    role: 'dev',
    cards: ['approvals', 'access', 'jobs', 'tickets', 'unreachable', 'alerts'],
  },
  {
    user: 'erin',
    role: 'viewer',
    cards: ['approvals', 'jobs', 'tickets', 'unreachable', 'prod'],
  },
  { user: 'victor', role: 'no role', cards: [] },
];

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

const workbench = (page: Page) => page.getByTestId('workbench');
const cardTitle = (page: Page, title: string) =>
  workbench(page).getByText(title, { exact: true });

/**
 * Every card lies right of the sidebar and inside the window: the point just
 * inside each card's left edge belongs to the card (nothing covers it).
 */
async function expectCardsUncovered(
  page: Page,
  size: { width: number; height: number },
) {
  const cards = workbench(page).locator('.react-grid-item');
  const count = await cards.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const card = cards.nth(i);
    await card.scrollIntoViewIfNeeded();
    const box = (await card.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(size.width + 1);
    const uncovered = await page.evaluate(
      ({ x, y }) => {
        const el = document.elementFromPoint(x, y);
        return !!el?.closest('.react-grid-item');
      },
      { x: box.x + 4, y: box.y + Math.min(24, box.height / 2) },
    );
    expect(uncovered, `card ${i} is covered at its left edge`).toBe(true);
  }
}

/** Scrolls the page and its scrolling containers back to the top. */
async function scrollToTop(page: Page) {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const el of Array.from(document.querySelectorAll('*'))) {
      if (el.scrollTop > 0) el.scrollTop = 0;
    }
  });
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  await scrollToTop(page);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function headersOf(request: APIRequestContext, user: string) {
  return { Authorization: `Bearer ${await userToken(request, user)}` };
}

/** The e2e Alertmanager's static token (app-config.e2e.yaml: alert.receive only). */
const ALERTMANAGER_TOKEN = 'e2e-only-alertmanager-token-not-a-secret-0001';

/** Posts one state of an alert on web-01 as Alertmanager does. */
async function postAlertState(
  request: APIRequestContext,
  alert: {
    status: 'firing' | 'resolved';
    summary: string;
    fingerprint: string;
  },
  startsAt: string,
) {
  const res = await request.post('/api/monitoring/alerts/webhook', {
    headers: { Authorization: `Bearer ${ALERTMANAGER_TOKEN}` },
    data: {
      version: '4',
      status: alert.status,
      receiver: 'opsdeck',
      alerts: [
        {
          status: alert.status,
          labels: {
            alertname: 'WorkbenchE2E',
            severity: 'warning',
            opsdeck_entity: 'resource:default/web-01',
          },
          annotations: { summary: alert.summary },
          startsAt,
          ...(alert.status === 'resolved'
            ? { endsAt: new Date().toISOString() }
            : {}),
          fingerprint: alert.fingerprint,
        },
      ],
    },
  });
  expect(res.status()).toBe(200);
}

test('a firing alert is on the workbench of who may read alerts, linked to its host, until it resolves', async ({
  page,
  request,
}) => {
  const alert = {
    summary: `workbench e2e ${randomBytes(3).toString('hex')}`,
    fingerprint: `wb${Date.now().toString(16)}`,
  };
  const startsAt = new Date().toISOString();
  await postAlertState(request, { ...alert, status: 'firing' }, startsAt);

  await signIn(page, 'dave');
  const card = page.getByTestId('workbench-alerts');
  const link = card.getByRole('link', { name: alert.summary });
  await expect(link).toBeVisible();
  await expect(card.getByText(/web-01 · since /)).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/web-01/);

  // a viewer may not read alerts: no card at all
  const viewer = await page.context().browser()!.newContext();
  const erin = await viewer.newPage();
  await signIn(erin, 'erin');
  await expect(workbench(erin)).toBeVisible();
  await expect(erin.getByTestId('workbench-alerts')).toHaveCount(0);
  await viewer.close();

  // resolved: off the card
  await postAlertState(request, { ...alert, status: 'resolved' }, startsAt);
  await page.goto('/');
  await expect(card).toBeVisible();
  await expect(card.getByText(alert.summary)).toHaveCount(0);
});

for (const language of ['en', 'zh-CN'] as const) {
  const text = TEXT[language];

  test(`the workbench is the landing page, per role, at 1280 and 1920 px (${language})`, async ({
    browser,
  }, testInfo) => {
    test.setTimeout(300_000);
    for (const { user, role, cards } of ROLES) {
      const context = await browser.newContext({ viewport: SIZES[0] });
      const page = await context.newPage();
      await signIn(page, user);
      await inLanguage(page, language, async () => {
        await page.goto('/');
        await expect(
          page.getByRole('heading', { name: text.title, exact: true }),
        ).toBeVisible();
        await expect(workbench(page)).toBeVisible();
        for (const card of ALL_CARDS) {
          const title = cardTitle(page, text.cards[card]);
          if (cards.includes(card)) await expect(title).toBeVisible();
          else await expect(title).toHaveCount(0);
        }
        // everyone has the welcome card; cards that may not be read are left
        // out, never shown as an error
        await expect(
          workbench(page).getByText(text.welcome, { exact: true }),
        ).toBeVisible();
        if (cards.includes('tickets')) {
          await expect(page.getByTestId('workbench-tickets')).toBeVisible();
        }
        if (cards.includes('unreachable')) {
          await expect(page.getByTestId('workbench-unreachable')).toBeVisible();
        }
        await expect(workbench(page).getByText(text.loadError)).toHaveCount(0);
        await expect(workbench(page).getByRole('alert')).toHaveCount(0);

        for (const size of SIZES) {
          await page.setViewportSize(size);
          await scrollToTop(page);
          // react-grid-layout re-lays out on resize
          await expect(
            cardTitle(page, text.cards.approvals)
              .or(workbench(page).getByText(text.welcome, { exact: true }))
              .first(),
          ).toBeVisible();
          await expectCardsUncovered(page, size);
          await scrollToTop(page);
          await screenshot(
            page,
            testInfo,
            `workbench-${user}-${role.replace(/\W+/g, '-')}-${language}-${
              size.width
            }x${size.height}`,
          );
        }
      });
      await context.close();
    }
  });
}

test.describe('flows without dead ends', () => {
  test.describe.configure({ mode: 'serial' });

  for (const language of ['en', 'zh-CN'] as const) {
    const text = TEXT[language];

    test(`access card → terminal → session URL with who, where, when and commands that seek (${language})`, async ({
      browser,
      request,
    }) => {
      test.setTimeout(180_000);
      await ensureDemoSshCredential(request);
      const granted = await request.post('/api/bastion/grants', {
        headers: await headersOf(request, 'alice'),
        data: {
          subject: 'user:default/dave',
          selector: { host: 'web-02' },
          loginUser: 'opsdeck',
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
          reason: 'e2e workbench',
        },
      });
      expect(granted.status()).toBe(201);

      const context = await browser.newContext({ viewport: SIZES[0] });
      const page = await context.newPage();
      await signIn(page, 'dave');
      await inLanguage(page, language, async () => {
        await page.goto('/');
        // one click from the workbench to a terminal on the granted host
        await workbench(page)
          .getByTestId('workbench-terminal')
          .filter({ hasText: /^web-02$/ })
          .first()
          .click();
        await expect(page).toHaveURL(/\/bastion\/hosts\/web-02$/);
        await expect(page.getByTestId('terminal-status')).toContainText(
          'opsdeck',
          { timeout: 30_000 },
        );
        await page.getByTestId('bastion-terminal').click();
        const terminal = page
          .getByTestId('bastion-terminal')
          .locator('.xterm-rows');
        await expect(terminal).toContainText('$', { timeout: 15_000 });
        const marker = `wb${randomBytes(3).toString('hex')}`;
        await page.keyboard.type('sleep 1');
        await page.keyboard.press('Enter');
        await page.waitForTimeout(1500);
        await page.keyboard.type(`echo ${marker}-$((6*7))`);
        await page.keyboard.press('Enter');
        await expect(terminal).toContainText(`${marker}-42`);
        await page.keyboard.type('exit');
        await page.keyboard.press('Enter');

        // the session has its own URL: find it and open it
        const daveHeaders = await headersOf(request, 'dave');
        let sessionId = '';
        await expect
          .poll(
            async () => {
              const res = await request.get('/api/bastion/sessions', {
                headers: daveHeaders,
              });
              if (!res.ok()) return false;
              const items = ((await res.json()).items ?? []) as {
                id: string;
                host: string;
                userRef: string;
                startedAt: string;
                endedAt?: string;
              }[];
              const newest = items
                .filter(
                  x =>
                    x.host.endsWith('web-02') &&
                    x.userRef === 'user:default/dave',
                )
                .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
              sessionId = newest?.id ?? '';
              return !!newest?.endedAt;
            },
            { timeout: 30_000 },
          )
          .toBe(true);
        await page.goto(`/bastion/sessions/${sessionId}`);
        const facts = page.getByTestId('replay-facts');
        await expect(facts.getByText(text.user, { exact: true })).toBeVisible();
        await expect(page.getByTestId('replay-user')).toContainText('dave');
        await expect(page.getByTestId('replay-host')).toContainText(
          /web-02.*\(opsdeck\)/,
        );
        await expect(page.getByTestId('replay-end')).not.toContainText(
          text.stillOpen,
        );
        await expect(page.getByTestId('replay-duration')).toContainText(
          text.duration,
        );
        await expect(page.getByTestId('replay-duration')).toContainText(/\d/);
        const commands = page.getByTestId('replay-commands');
        const echo = commands.getByRole('button', {
          name: new RegExp(`echo ${marker}`),
        });
        await expect(echo).toBeVisible();
        // a click seeks the player to the command (after the 1 s sleep) and pauses it
        await echo.click();
        await expect(
          page.getByRole('button', { name: text.play }),
        ).toBeVisible();
        const at = Number(
          (await page.getByTestId('replay-time').innerText()).split(' ')[0],
        );
        expect(at).toBeGreaterThan(0.5);
        await expect(page.getByTestId('bastion-replay')).toContainText(
          `echo ${marker}`,
        );
      });
      await context.close();
    });

    test(`an SQL change waiting for a DBA is on her workbench and opens at its own URL (${language})`, async ({
      browser,
      request,
    }) => {
      test.setTimeout(120_000);
      await ensureDemoDbCredential(request);
      const db = new Client(testPostgres('payments'));
      await db.connect();
      const table = `wb_${randomBytes(3).toString('hex')}`;
      await db.query(
        `CREATE TABLE ${table} (id serial PRIMARY KEY, note text)`,
      );
      await db.end();
      const title = `Workbench note (${table})`;
      const submitted = await request.post('/api/sql/changes', {
        headers: await headersOf(request, 'dave'),
        data: {
          instanceRef: 'resource:default/pay-db-main',
          title,
          sql: `INSERT INTO ${table} (note) VALUES ('workbench')`,
          reason: 'e2e workbench',
        },
      });
      expect(submitted.status()).toBe(201);
      const change = await submitted.json();

      const context = await browser.newContext({ viewport: SIZES[0] });
      const page = await context.newPage();
      await signIn(page, 'carol');
      await inLanguage(page, language, async () => {
        await page.goto('/');
        const waiting = page.getByTestId('workbench-approvals-sql');
        await waiting.getByRole('link', { name: title }).click();
        await expect(page).toHaveURL(new RegExp(`/sql\\?change=${change.id}$`));
        await expect(page.getByText(title).first()).toBeVisible();
        // dave submitted it: nothing of it waits for him on his workbench
        const own = await request.get('/api/sql/changes?waiting=me', {
          headers: await headersOf(request, 'dave'),
        });
        expect(
          (await own.json()).changes.map((c: { id: string }) => c.id),
        ).not.toContain(change.id);
        // tidy up: carol rejects it (later specs count what waits for her)
        const rejected = await request.post(
          `/api/sql/changes/${change.id}/decision`,
          {
            headers: await headersOf(request, 'carol'),
            data: { decision: 'rejected', comment: 'e2e workbench' },
          },
        );
        expect(rejected.status()).toBe(200);
      });
      await context.close();
    });
  }

  test('a template request links to its ticket; the ticket is on both workbenches; Tickets opens on Mine when nothing waits', async ({
    browser,
    request,
  }) => {
    test.setTimeout(240_000);
    await ensureDemoDbCredential(request);
    const reason = `e2e workbench ${Date.now().toString(36)}`;
    const context = await browser.newContext({ viewport: SIZES[0] });
    const page = await context.newPage();
    await signIn(page, 'dave');
    await page.goto('/create/templates/default/request-database-account');
    const picker = page.getByRole('textbox', { name: /^Database/ });
    await picker.fill('pay-db-main');
    await page.getByRole('option', { name: /pay-db-main/ }).click();
    await page.getByRole('textbox', { name: /^Reason/ }).fill(reason);
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page).toHaveURL(/\/create\/tasks\//);
    const taskUrl = page.url();

    // the task waits for approval; the page says which ticket it opened
    const banner = page.getByTestId('task-ticket-link');
    await expect(banner).toContainText(/ticket #\d+/, { timeout: 60_000 });
    await banner.getByRole('link', { name: TEXT.en.openTicket }).click();
    await expect(page).toHaveURL(/\/tickets\/\d+$/);
    const ticketId = Number(page.url().match(/\/tickets\/(\d+)$/)![1]);

    // the same link in Chinese
    await setLanguage(page, 'zh-CN');
    try {
      await page.goto(taskUrl);
      await expect(
        page.getByTestId('task-ticket-link').getByRole('link', {
          name: TEXT['zh-CN'].openTicket,
        }),
      ).toBeVisible({ timeout: 60_000 });

      // dave's workbench lists it among his open tickets
      await page.goto('/');
      await expect(
        page
          .getByTestId('workbench-tickets')
          .getByRole('link', { name: new RegExp(`^#${ticketId} `) }),
      ).toBeVisible();
      // nothing waits for dave: Tickets opens on "My requests"
      await page.goto('/tickets');
      await expect(
        page.getByRole('tab', { name: TEXT['zh-CN'].mine }),
      ).toHaveAttribute('aria-selected', 'true');
    } finally {
      await setLanguage(page, 'en');
    }
    await context.close();

    // carol (dba) finds it waiting for her approval on her workbench
    const carolContext = await browser.newContext({ viewport: SIZES[1] });
    const carol = await carolContext.newPage();
    await signIn(carol, 'carol');
    await carol.goto('/');
    await carol
      .getByTestId('workbench-approvals-tickets')
      .getByRole('link', { name: new RegExp(`^#${ticketId} `) })
      .click();
    await expect(carol).toHaveURL(new RegExp(`/tickets/${ticketId}$`));
    // tidy up: carol rejects it
    const rejected = await request.post(
      `/api/tickets/tickets/${ticketId}/decision`,
      {
        headers: await headersOf(request, 'carol'),
        data: { decision: 'reject', comment: 'e2e workbench' },
      },
    );
    expect(rejected.status()).toBe(200);
    await carolContext.close();

    // with nothing waiting, dave's Tickets page opens on "My requests" in English too
    const again = await browser.newContext();
    const davePage = await again.newPage();
    await signIn(davePage, 'dave');
    await davePage.goto('/tickets');
    await expect(
      davePage.getByRole('tab', { name: TEXT.en.mine }),
    ).toHaveAttribute('aria-selected', 'true');
    await again.close();
  });
});
