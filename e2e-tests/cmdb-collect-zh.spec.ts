import { expect, test } from '@playwright/test';
import {
  DEMO_HOSTS,
  ensureDemoSshCredential,
  fill,
  inLanguage,
  openHosts,
  signIn,
} from './helpers';
// the Hosts page's and the host card's Chinese (keys of cmdbTranslationRef)
import zhCN from '../plugins/cmdb/src/translation/zhCN';

// #16: collecting the demo hosts' facts (cmdb-collect.spec.ts,
// cmdb-demo-hosts.spec.ts) in zh-CN: "Collect all" and "Collect selected" on
// the Hosts page, then the facts with Chinese labels, durations in Chinese
// and dates as zh-CN writes them. The demo hosts (examples/entities.yaml) are
// the sshd test hosts on 127.0.0.1:22301-22306 that scripts/test.sh starts.

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A zh-CN message as a pattern: each {{placeholder}} is `value` (a regex source). */
const pattern = (message: string, value = '\\d+') =>
  escape(message).replace(/\\\{\\\{\w+\\\}\\\}/g, value);

/** A duration of the card and the table in Chinese ("2 天 3 小时", "5 秒"). */
const DURATION = new RegExp(
  `^(${['days', 'hours', 'minutes', 'seconds']
    .map(u => pattern(zhCN[`duration.${u}` as keyof typeof zhCN]))
    .join('|')})( |$)`,
);

/** A zh-CN date and time: 2026/12/5 14:03:09 (no AM/PM, year first). */
const ZH_DATE_TIME = /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}$/;

test('zh-CN: an ops user collects all and selected demo hosts, and reads their facts in Chinese with zh-CN dates', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await ensureDemoSshCredential(request);
  await signIn(page, 'bob');
  await inLanguage(page, 'zh-CN', async () => {
    await openHosts(page, zhCN['collect.all']);
    for (const column of [
      'table.name',
      'table.address',
      'table.reachability',
      'table.os',
      'table.uptime',
      'table.factsAge',
    ] as const) {
      await expect(
        page.getByRole('columnheader', { name: zhCN[column], exact: true }),
      ).toBeVisible();
    }

    // Collect all: the counts and one line per host, in Chinese
    await page.getByRole('button', { name: zhCN['collect.all'] }).click();
    const status = page.getByRole('status');
    await expect(status).toContainText(
      new RegExp(pattern(zhCN['collect.done'])),
      { timeout: 120_000 },
    );
    const results = page.getByTestId('collect-results');
    for (const name of DEMO_HOSTS) {
      await expect(
        results.getByText(fill(zhCN['collect.hostReachable'], { name }), {
          exact: true,
        }),
      ).toBeVisible();
    }
    // the table shows the fresh facts: reachable, uptime and age in Chinese
    const row = page.getByTestId('host-row').filter({ hasText: 'pay-app-01' });
    await expect(row).toContainText(zhCN['reachability.reachable']);
    const cells = row.getByRole('cell');
    await expect(cells.nth(9)).toHaveText(DURATION);
    await expect(row.locator('time')).toHaveText(
      new RegExp(`^${pattern(zhCN['duration.ago'], '.+')}$`),
    );
    await expect(row).not.toContainText(/\bago\b|seconds|minutes|hours/);
    // the age's tooltip is the time as zh-CN writes it
    await row.locator('time').hover();
    await expect(page.getByRole('tooltip')).toHaveText(ZH_DATE_TIME);

    // Collect selected: only the picked host
    await page
      .getByRole('checkbox', {
        name: fill(zhCN['collect.selectHost'], { name: 'web-01' }),
      })
      .check();
    await page
      .getByRole('button', {
        name: fill(zhCN['collect.selected'], { count: '1' }),
      })
      .click();
    await expect(status).toContainText(
      fill(zhCN['collect.done'], {
        hosts: '1',
        reachable: '1',
        unreachable: '0',
      }),
      { timeout: 60_000 },
    );
    await expect(results).toHaveText(
      fill(zhCN['collect.hostReachable'], { name: 'web-01' }),
    );

    // the host's facts card: Chinese labels, values, and a zh-CN date
    await page.getByRole('link', { name: 'pay-app-01', exact: true }).click();
    await expect(page).toHaveURL(/\/catalog\/default\/resource\/pay-app-01/);
    await expect(page.getByText(zhCN['card.title']).first()).toBeVisible({
      timeout: 30_000,
    });
    const fact = (key: keyof typeof zhCN) =>
      page
        .getByTestId('host-fact')
        .filter({ hasText: new RegExp(`^${escape(zhCN[key])}`) });
    await expect(fact('card.address')).toContainText('127.0.0.1:22301');
    await expect(fact('card.address')).toContainText(
      zhCN['reachability.reachable'],
    );
    await expect(fact('card.os')).toContainText(/Debian|Linux/);
    await expect(fact('card.kernel')).toContainText(/\d+\.\d+/);
    await expect(fact('card.memory').locator('dd')).toHaveText(
      /^\d+(\.\d)? (MiB|GiB)$/,
    );
    await expect(fact('card.disks').locator('dd')).toContainText(
      new RegExp(pattern(zhCN['card.diskUsage'], '[\\d.]+ ?\\w*')),
    );
    await expect(fact('card.uptime').locator('dd')).toHaveText(DURATION);
    const collectedAt = fact('card.collectedAt').locator('time');
    await expect(collectedAt).toHaveText(ZH_DATE_TIME);
    // exactly what the browser's zh-CN formatting makes of the stored time
    const iso = (await collectedAt.getAttribute('datetime'))!;
    const expected = await page.evaluate(
      v => new Date(v).toLocaleString('zh-CN'),
      iso,
    );
    await expect(collectedAt).toHaveText(expected);
    await expect(page.getByTestId('host-fact').first()).not.toContainText(
      /Unknown|Address|Reachable/,
    );

    // and collecting from the card says so in Chinese
    await page.getByRole('button', { name: zhCN['card.collectNow'] }).click();
    await expect(page.getByText(zhCN['card.collected'])).toBeVisible({
      timeout: 60_000,
    });
    await expect(fact('card.collectedAt').locator('time')).not.toHaveAttribute(
      'datetime',
      iso,
    );
  });
});
