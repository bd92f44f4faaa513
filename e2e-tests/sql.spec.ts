import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { Client } from 'pg';
import { ensureDemoDbCredential, signIn, userToken } from './helpers';

// scripts/test.sh starts PostgreSQL on 127.0.0.1:55432 (the demo instance
// pay-db-main of examples/entities.yaml) and exports its superuser URL.
const pgUrl =
  process.env.OPSDECK_TEST_POSTGRES_URL ??
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

async function connect(database: string) {
  const url = new URL(pgUrl!);
  const client = new Client({
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  });
  await client.connect();
  return client;
}

/** pay-db-main is a production instance: the dialog wants its name typed. */
async function confirmProd(page: Page, action: string) {
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByText(/Type the instance name pay-db-main/),
  ).toBeVisible();
  const go = dialog.getByRole('button', { name: action });
  await expect(go).toBeDisabled();
  await dialog
    .getByRole('textbox', { name: 'Instance name' })
    .fill('pay-db-main');
  await go.click();
}

async function pickInstance(page: Page, name: string) {
  await page.getByRole('button', { name: /^Instance/ }).click();
  await page.getByRole('option', { name: new RegExp(`^${name} `) }).click();
}

test('a developer submits an UPDATE, a DBA approves and runs it, rollback restores the rows; the console masks', async ({
  browser,
  request,
}) => {
  // two users, four screens and a CSV export: over 3 min on a busy 2-core machine
  test.setTimeout(300_000);
  expect(
    pgUrl,
    'OPSDECK_TEST_POSTGRES_URL must point at the test PostgreSQL',
  ).toBeTruthy();
  await ensureDemoDbCredential(request);

  // the demo instance's database, with a table of this run's own
  const admin = await connect('postgres');
  const exists = await admin.query(
    "SELECT 1 FROM pg_database WHERE datname = 'payments'",
  );
  if (exists.rowCount === 0)
    await admin.query('CREATE DATABASE payments').catch(() => undefined);
  await admin.end();
  const db = await connect('payments');
  const table = `accounts_${randomBytes(3).toString('hex')}`;
  await db.query(
    `CREATE TABLE ${table} (id int PRIMARY KEY, region text, phone text, email text, balance numeric(10,2))`,
  );
  await db.query(
    `INSERT INTO ${table} SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END,
       '1380013' || lpad(g::text, 4, '0'), 'user' || g || '@example.com', g * 10.5
     FROM generate_series(1, 6) g`,
  );
  const rows = async () =>
    (
      await db.query(
        `SELECT id::text, region, phone, email, balance::text FROM ${table} ORDER BY id`,
      )
    ).rows;
  const before = await rows();

  try {
    // 1. frank (dev) writes the change and sees the review findings
    const frankContext = await browser.newContext();
    const frank = await frankContext.newPage();
    await signIn(frank, 'frank');
    await frank
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Databases' })
      .click();
    await frank.getByRole('tab', { name: 'Submit change' }).click();
    await pickInstance(frank, 'pay-db-main');
    await frank
      .getByRole('textbox', { name: /^Title/ })
      .fill(`Zero EU balances (${table})`);
    await frank
      .getByRole('textbox', { name: /^SQL/ })
      .fill(`UPDATE ${table} SET balance = 0 WHERE region = 'eu'`);
    await frank.getByRole('button', { name: 'Review' }).click();
    // region has no index: a warning that needs a reason
    await expect(frank.getByText('[dml-where-without-index]')).toBeVisible();
    await frank
      .getByRole('textbox', { name: /^Reason for warnings/ })
      .fill('small table, one-off fix');
    await frank.getByRole('button', { name: 'Submit' }).click();
    await expect(frank.getByText('Waiting for approval').first()).toBeVisible();
    // frank (dev) may not approve: the change offers him no Approve or Reject
    // (the backend's refusal is sql-backend's router tests; roles.spec covers
    // an approver's own change)
    await expect(frank.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(frank.getByRole('button', { name: 'Reject' })).toHaveCount(0);

    // 2. carol (dba) approves and executes it
    const carolContext = await browser.newContext();
    const carol = await carolContext.newPage();
    await signIn(carol, 'carol');
    await carol.goto('/sql');
    await carol
      .getByRole('button', { name: `Zero EU balances (${table})` })
      .click();
    await expect(carol.getByText('[dml-where-without-index]')).toBeVisible();
    await carol.getByRole('button', { name: 'Approve' }).click();
    await carol.getByRole('button', { name: 'Execute' }).click();
    await confirmProd(carol, 'Execute');
    await expect(carol.getByText('Finished')).toBeVisible();
    await expect(carol.getByText(/^3 rows, \d+ ms$/)).toBeVisible();
    await expect(carol.getByText(/UPDATE .* SET "id" = '2'/)).toBeVisible();

    // the rows changed in the real database
    const after = await rows();
    expect(after.filter(r => r.region === 'eu').map(r => r.balance)).toEqual([
      '0.00',
      '0.00',
      '0.00',
    ]);
    expect(after.filter(r => r.region === 'us')).toEqual(
      before.filter(r => r.region === 'us'),
    );

    // 3. one click restores the exact previous rows
    await carol.getByRole('button', { name: 'Roll back' }).click();
    await confirmProd(carol, 'Roll back');
    await expect(carol.getByText('3 rows restored')).toBeVisible();
    await expect(carol.getByText('Rolled back')).toBeVisible();
    expect(await rows()).toEqual(before);

    // 4. the console masks phone numbers and e-mail addresses
    await frank.goto('/sql');
    await frank.getByRole('tab', { name: 'Query console' }).click();
    await pickInstance(frank, 'pay-db-main');
    await frank
      .getByRole('textbox', { name: /^SQL/ })
      .fill(`SELECT id, phone, email AS contact FROM ${table} ORDER BY id`);
    await frank.getByRole('button', { name: 'Run query' }).click();
    const result = frank.getByRole('table', { name: 'Query console' });
    await expect(
      result.getByRole('cell', { name: '138****0001' }),
    ).toBeVisible();
    await expect(
      result.getByRole('cell', { name: 'u***@example.com' }).first(),
    ).toBeVisible();
    await expect(result.getByText('13800130001')).toHaveCount(0);
    await expect(
      frank.getByText('Masked columns: phone, contact'),
    ).toBeVisible();

    // the CSV export is masked too (the server runs the query again)
    const [download] = await Promise.all([
      frank.waitForEvent('download'),
      frank.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('pay-db-main-query.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('id,phone,contact');
    expect(csv).toContain('1,138****0001,u***@example.com');
    expect(csv).not.toContain('13800130001');

    // a write is refused by the parser before it reaches the database
    await frank
      .getByRole('textbox', { name: /^SQL/ })
      .fill(`DELETE FROM ${table}`);
    await frank.getByRole('button', { name: 'Run query' }).click();
    await expect(
      frank.getByText(/Refused by rule read-only: DELETE/),
    ).toBeVisible();
    expect(await rows()).toEqual(before);

    await frankContext.close();
    await carolContext.close();
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
});

/** YYYY-MM-DDTHH:MM:SS in local time, what a datetime-local field holds. */
function localDateTime(d: Date) {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(
    d.getHours(),
  )}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * A table of this run's own in the demo instance's `payments` database and
 * an approved change that inserts one row into it (submitted by frank and
 * approved by carol through the API).
 */
async function approvedInsert(request: APIRequestContext) {
  await ensureDemoDbCredential(request);
  const admin = await connect('postgres');
  const exists = await admin.query(
    "SELECT 1 FROM pg_database WHERE datname = 'payments'",
  );
  if (exists.rowCount === 0)
    await admin.query('CREATE DATABASE payments').catch(() => undefined);
  await admin.end();
  const db = await connect('payments');
  const table = `sched_${randomBytes(3).toString('hex')}`;
  await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, note text)`);
  const auth = async (user: string) => ({
    Authorization: `Bearer ${await userToken(request, user)}`,
  });
  const title = `Record a run (${table})`;
  const submitted = await request.post('/api/sql/changes', {
    headers: await auth('frank'),
    data: {
      instanceRef: 'resource:default/pay-db-main',
      title,
      sql: `INSERT INTO ${table} (note) VALUES ('scheduled')`,
    },
  });
  expect(submitted.status()).toBe(201);
  const { id } = await submitted.json();
  const approved = await request.post(`/api/sql/changes/${id}/decision`, {
    headers: await auth('carol'),
    data: { decision: 'approved' },
  });
  expect(approved.status()).toBe(200);
  return { db, table, title, id: id as string, auth };
}

/**
 * carol opens the change in the browser and schedules it `aheadMs` from the
 * moment she fills in the time (not from before sign-in: on a loaded machine
 * signing in and opening the page take longer than a short lead, and the
 * server rightly refuses a time in the past).
 */
async function scheduleAsCarol(page: Page, title: string, aheadMs: number) {
  await signIn(page, 'carol');
  await page.goto('/sql');
  await page.getByRole('button', { name: title }).click();
  await page
    .getByLabel('Run at')
    .fill(localDateTime(new Date(Date.now() + aheadMs)));
  await page.getByRole('button', { name: 'Schedule' }).click();
  await confirmProd(page, 'Schedule');
  await expect(
    page.getByText(/^Scheduled to run at .* \(by user:default\/carol\)$/),
  ).toBeVisible();
}

test('a DBA schedules an approved change; the scheduler runs it once', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const { db, table, title, id, auth } = await approvedInsert(request);
  try {
    // 20 s ahead of filling in the time: the production confirmation takes a moment
    await scheduleAsCarol(page, title, 20_000);
    await expect(page.getByText('Scheduled', { exact: true })).toBeVisible();

    // the scheduler task (every 10 s) picks it up
    await expect
      .poll(
        async () =>
          (
            await (
              await request.get(`/api/sql/changes/${id}`, {
                headers: await auth('carol'),
              })
            ).json()
          ).status,
        { timeout: 90_000, intervals: [1000] },
      )
      .toBe('finished');
    expect((await db.query(`SELECT note FROM ${table}`)).rows).toEqual([
      { note: 'scheduled' },
    ]);

    // the real notifications backend got the approvers' and the submitter's
    const titles = async (user: string) =>
      (
        await (
          await request.get('/api/notifications/notifications?limit=100', {
            headers: await auth(user),
          })
        ).json()
      ).notifications.map(
        (n: { payload: { title: string } }) => n.payload.title,
      );
    expect(await titles('carol')).toContain(`SQL change to approve: ${title}`);
    expect(await titles('frank')).toEqual(
      expect.arrayContaining([
        `SQL change approved: ${title}`,
        `SQL change executed: ${title}`,
      ]),
    );
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
});

test('a DBA cancels the schedule of an approved change; it stays approved and does not run', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const { db, table, title, id, auth } = await approvedInsert(request);
  try {
    // far in the future: the scheduler must not get to it during the test
    await scheduleAsCarol(page, title, 7 * 24 * 3600_000);

    await page.getByRole('button', { name: 'Cancel schedule' }).click();
    await expect(page.getByText('Approved', { exact: true })).toBeVisible();
    await expect(page.getByText(/^Scheduled to run at/)).toHaveCount(0);
    await expect(
      page.getByRole('button', { name: 'Cancel schedule' }),
    ).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Execute' })).toBeEnabled();

    const change = await (
      await request.get(`/api/sql/changes/${id}`, {
        headers: await auth('carol'),
      })
    ).json();
    expect(change).toMatchObject({ status: 'approved', runs: [] });
    expect(change.scheduledAt).toBeUndefined();
    expect(change.executedBy).toBeUndefined();
    expect((await db.query(`SELECT note FROM ${table}`)).rows).toEqual([]);

    // nothing left to cancel
    const again = await request.post(`/api/sql/changes/${id}/unschedule`, {
      headers: await auth('carol'),
    });
    expect(again.status()).toBe(409);
    expect((await again.json()).error.message).toMatch(/not scheduled/);
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
});

test('the catalog page of a database shows reachability and the server version', async ({
  page,
  request,
}) => {
  await ensureDemoDbCredential(request);
  await signIn(page, 'carol');
  await page.goto('/catalog/default/resource/pay-db-main');
  await expect(page.getByText('Database connection')).toBeVisible();
  await expect(page.getByText('Reachable', { exact: true })).toBeVisible();
  await expect(page.getByTestId('sql-server-version')).toHaveText(
    /^Server version: PostgreSQL 15\./,
  );
});

test('slow queries show the snapshot time and "Refresh now" reads the instance again', async ({
  page,
  request,
}) => {
  // two refreshes of a real instance and the history: past 90 s when the machine is busy
  test.setTimeout(180_000);
  await ensureDemoDbCredential(request);
  // A statement slow enough to be among pay-db-main's top statements, on its
  // own table (pg_stat_statements groups statements by their plan tree, so an
  // alias alone would not make it a separate entry).
  const marker = `e2e_slow_${randomBytes(4).toString('hex')}`;
  const slowStatement = `SELECT pg_sleep($1), count(*) FROM ${marker}`;
  const db = await connect('payments');
  try {
    await db.query(`CREATE TABLE ${marker} (id int PRIMARY KEY)`);
    await db.query(`SELECT pg_sleep(0.5), count(*) FROM ${marker}`);
  } finally {
    await db.end();
  }
  await signIn(page, 'carol');
  await page.goto('/sql');
  await page.getByRole('tab', { name: 'Slow queries' }).click();
  await pickInstance(page, 'pay-db-main');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(
    page.getByText(/^As of .+ \(refreshed on a schedule\)$/),
  ).toBeVisible();
  await expect(
    page
      .getByRole('table', { name: 'Slow queries' })
      .getByText(`SELECT pg_sleep($1), count(*) FROM ${marker}`),
  ).toBeVisible();
  // the API returns the stored snapshot with its age
  const token = await userToken(request, 'carol');
  const res = await request.get(
    `/api/sql/slow-queries?instance=${encodeURIComponent(
      'resource:default/pay-db-main',
    )}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  expect(res.status()).toBe(200);
  const snapshot = await res.json();
  expect(snapshot.takenAt).toEqual(expect.any(String));
  expect(snapshot.ageSeconds).toBeGreaterThanOrEqual(0);
  expect(
    snapshot.statements.some((s: { statement: string }) =>
      s.statement.includes(`count(*) FROM ${marker}`),
    ),
  ).toBe(true);

  // a second refresh keeps the first one in the history; picking it shows it
  const asOf = page.getByText(/^As of .+ \(refreshed on a schedule\)$/);
  const firstAsOf = (await asOf.textContent())!;
  const firstTime = firstAsOf.replace(/^As of (.+) \(refreshed.*$/, '$1');
  // between the two refreshes the statement runs `laterRuns` more times
  const laterRuns = 2;
  const sleepSeconds = 0.1;
  const db2 = await connect('payments');
  try {
    for (let i = 0; i < laterRuns; i++) {
      await db2.query(
        `SELECT pg_sleep(${sleepSeconds}), count(*) FROM ${marker}`,
      );
    }
    await db2.query(`DROP TABLE ${marker}`);
  } finally {
    await db2.end();
  }
  // the labels show whole seconds: let the second refresh get another one
  await page.waitForTimeout(1100);
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(asOf).not.toHaveText(firstAsOf);

  // the change since the first snapshot counts only the runs in between
  const slowTable = page.getByRole('table', { name: 'Slow queries' });
  const slowRow = slowTable.getByRole('row').filter({ hasText: slowStatement });
  await expect(slowRow.getByRole('cell').nth(1)).toHaveText(
    String(1 + laterRuns),
  );
  await page.getByRole('button', { name: /^Change since/ }).click();
  await page.getByRole('option', { name: firstTime, exact: true }).click();
  await expect(page.getByTestId('sql-slow-interval-help')).toContainText(
    `between ${firstTime} and`,
  );
  await expect(slowRow.getByRole('cell').nth(1)).toHaveText(String(laterRuns));
  // mean ms: each of those runs slept at least sleepSeconds
  expect(
    Number(await slowRow.getByRole('cell').nth(3).textContent()),
  ).toBeGreaterThanOrEqual(sleepSeconds * 1000);
  const interval = await (
    await request.get(
      `/api/sql/slow-queries?instance=${encodeURIComponent(
        'resource:default/pay-db-main',
      )}&compareTo=${encodeURIComponent(snapshot.takenAt)}`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
  ).json();
  expect(interval.comparedTo).toBe(snapshot.takenAt);
  expect(
    interval.statements.find(
      (s: { statement: string }) => s.statement === slowStatement,
    ),
  ).toMatchObject({ calls: laterRuns, basis: 'difference' });

  const history = await (
    await request.get(
      `/api/sql/slow-queries/history?instance=${encodeURIComponent(
        'resource:default/pay-db-main',
      )}`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
  ).json();
  expect(
    history.snapshots.map((h: { takenAt: string }) => h.takenAt),
  ).toContain(snapshot.takenAt);
  await page.getByRole('button', { name: /^Snapshot/ }).click();
  await page.getByRole('option', { name: firstTime, exact: true }).click();
  await expect(asOf).toHaveText(firstAsOf);
  await expect(
    page
      .getByRole('table', { name: 'Slow queries' })
      .getByText(`SELECT pg_sleep($1), count(*) FROM ${marker}`),
  ).toBeVisible();
  await expect(slowRow.getByRole('cell').nth(1)).toHaveText('1');

  // MariaDB's slow-log snapshot is not a counter: no change view, and why
  await pickInstance(page, 'shop-db');
  await expect(
    page.getByText(
      /^Change since an earlier snapshot is available for PostgreSQL only/,
    ),
  ).toBeVisible();
  await expect(
    page.getByRole('button', { name: /^Change since/ }),
  ).toHaveAttribute('aria-disabled', 'true');
});
