import { createHash } from 'node:crypto';
import { APIRequestContext, Browser, expect, test } from '@playwright/test';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import {
  ensureDemoDbCredential,
  signIn,
  testPostgres,
  userToken,
} from './helpers';

// The demo database pay-db-main (examples/entities.yaml) is the test
// PostgreSQL that scripts/test.sh starts; its admin login is the vault
// credential pay-db-admin, which this spec puts there (as alice).
const PG = testPostgres();

async function headersOf(request: APIRequestContext, user: string) {
  return { Authorization: `Bearer ${await userToken(request, user)}` };
}

/** frank's ticket whose reason is `reason`, once the approval step opened it. */
async function ticketWithReason(request: APIRequestContext, reason: string) {
  const headers = await headersOf(request, 'frank');
  let found: any;
  await expect
    .poll(
      async () => {
        const res = await request.get('/api/tickets/tickets?view=mine', {
          headers,
        });
        found = (await res.json()).items.find(
          (t: any) => t.details?.reason === reason,
        );
        return found?.state;
      },
      { timeout: 60_000 },
    )
    .toBe('awaiting_approval');
  return found as { id: number; taskId: string; title: string };
}

async function ticketState(request: APIRequestContext, id: number) {
  const res = await request.get(`/api/tickets/tickets/${id}`, {
    headers: await headersOf(request, 'frank'),
  });
  return res.json();
}

/** The account name opsdeck derives (accountName in plugins/sql-node). */
function accountName(user: string, ticketId: number, taskId: string) {
  const suffix = createHash('sha256').update(taskId).digest('hex').slice(0, 6);
  return `${user}_t${ticketId}_${suffix}`;
}

async function roleExists(name: string) {
  const client = new Client(PG);
  await client.connect();
  try {
    const res = await client.query(
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [name],
    );
    return res.rowCount === 1;
  } finally {
    await client.end();
  }
}

/** frank fills in "Request a database account" in the browser. */
async function requestAccount(browser: Browser, reason: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'frank');
  await page.goto('/create/templates/default/request-database-account');
  const picker = page.getByRole('textbox', { name: /^Database/ });
  await picker.fill('pay-db-main');
  await page.getByRole('option', { name: /pay-db-main/ }).click();
  await page.getByRole('textbox', { name: /^Reason/ }).fill(reason);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(
    page.getByText('Approval by the dba group').first(),
  ).toBeVisible();
  return { context, page };
}

test('a developer requests a database account, a DBA approves it in the browser, the account works', async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  await ensureDemoDbCredential(request);
  const reason = `e2e reporting ${Date.now().toString(36)}`;
  const frank = await requestAccount(browser, reason);
  const ticket = await ticketWithReason(request, reason);

  // carol (dba) finds it under "Waiting for me" and approves it
  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, 'carol');
  await carol
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Tickets' })
    .click();
  await carol.getByRole('tab', { name: 'Waiting for me' }).click();
  await carol.getByRole('link', { name: `#${ticket.id}`, exact: true }).click();
  await expect(carol.getByText(`Ticket ${ticket.id}:`)).toBeVisible();
  await expect(carol.getByText(reason).first()).toBeVisible();
  await carol
    .getByRole('textbox', { name: 'Comment for the decision' })
    .fill('ok for reporting');
  await carol.getByRole('button', { name: 'Approve' }).click();
  await expect(carol.getByText('Your decision was recorded.')).toBeVisible();

  // the task goes on by itself and creates the account
  await expect
    .poll(async () => (await ticketState(request, ticket.id)).state, {
      timeout: 90_000,
    })
    .toBe('done');
  const done = await ticketState(request, ticket.id);
  const account = accountName('frank', ticket.id, ticket.taskId);
  expect(done.result).toMatchObject({
    account,
    credential: `db-pay-db-main-${account}`,
    privilege: 'read-only',
  });
  expect(await roleExists(account)).toBe(true);

  // the account logs in to the real PostgreSQL (password read from the vault
  // inside the backend; no API returns it)
  const check = await request.post(
    `/api/tickets/tickets/${ticket.id}/account-check`,
    { headers: await headersOf(request, 'frank') },
  );
  expect(check.status()).toBe(200);
  expect(await check.json()).toMatchObject({
    connected: true,
    canWrite: false,
  });

  // frank sees it done in his requests and has been notified
  await frank.page.goto(`/tickets/${ticket.id}`);
  await expect(frank.page.getByTestId('ticket-state')).toHaveText('Done');
  await expect(frank.page.getByTestId('ticket-message')).toContainText(
    `db-pay-db-main-${account}`,
  );
  const notifications = await request.get(
    '/api/notifications/notifications?limit=50',
    { headers: await headersOf(request, 'frank') },
  );
  const titles = (await notifications.json()).notifications.map(
    (n: any) => n.payload.title,
  );
  expect(titles).toContain(`Ticket ${ticket.id} done: ${done.title}`);

  // every state change is in the audit log
  const audit = await request.get(
    `/api/audit/events?target=${encodeURIComponent(
      `ticket:${ticket.id}`,
    )}&limit=50`,
    { headers: await headersOf(request, 'alice') },
  );
  const events = (await audit.json()).items.map((e: any) => e.action);
  expect(events).toEqual(
    expect.arrayContaining(['ticket-decide', 'ticket-state']),
  );
  await frank.context.close();
  await carolContext.close();
});

test('a rejected request creates nothing', async ({ browser, request }) => {
  test.setTimeout(180_000);
  await ensureDemoDbCredential(request);
  const reason = `e2e rejected ${Date.now().toString(36)}`;
  const frank = await requestAccount(browser, reason);
  const ticket = await ticketWithReason(request, reason);

  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, 'carol');
  await carol.goto(`/tickets/${ticket.id}`);
  await carol
    .getByRole('textbox', { name: 'Comment for the decision' })
    .fill('not needed');
  await carol.getByRole('button', { name: 'Reject' }).click();
  await expect(carol.getByText('Your decision was recorded.')).toBeVisible();
  await expect(carol.getByTestId('ticket-state')).toHaveText('Rejected');

  // the template run fails at the approval step with the reason
  await expect(
    frank.page
      .getByText(/was rejected by user:default\/carol: not needed/)
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  const after = await ticketState(request, ticket.id);
  expect(after.state).toBe('rejected');
  expect(after.result).toBeUndefined();
  const account = accountName('frank', ticket.id, ticket.taskId);
  expect(await roleExists(account)).toBe(false);
  const credential = await request.get(
    `/api/vault/credentials/db-pay-db-main-${account}`,
    { headers: await headersOf(request, 'alice') },
  );
  expect(credential.status()).toBe(404);
  await frank.context.close();
  await carolContext.close();
});

// shop-db (examples/entities.yaml) is the test MariaDB (scripts/services/mariadb.sh).
function mariadbAdmin() {
  const u = new URL(
    process.env.OPSDECK_TEST_MARIADB_URL ??
      'mysql://opsdeck:opsdeck-test-pw@127.0.0.1:53306',
  );
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

test('a MariaDB account: approved request → a read-only user on the real MariaDB', async ({
  request,
}) => {
  test.setTimeout(120_000);
  const admin = mariadbAdmin();
  const server = await mysql.createConnection(admin);
  try {
    await server.query('CREATE DATABASE IF NOT EXISTS shop');
    await server.query(
      'CREATE TABLE IF NOT EXISTS shop.e2e_tickets_orders (id int primary key, amount int)',
    );
    await server.query(
      'INSERT IGNORE INTO shop.e2e_tickets_orders VALUES (1, 42)',
    );
  } finally {
    await server.end();
  }
  const alice = await headersOf(request, 'alice');
  const existing = await request.get('/api/vault/credentials/shop-db-admin', {
    headers: alice,
  });
  if (existing.status() === 404) {
    const created = await request.post('/api/vault/credentials', {
      headers: alice,
      data: {
        name: 'shop-db-admin',
        type: 'password',
        username: admin.user,
        owner: 'dba',
        allowedUses: ['db-admin'],
        description: 'Admin login of shop-db (test MariaDB)',
        secret: admin.password,
      },
    });
    expect([201, 409]).toContain(created.status());
  }

  const reason = `e2e mariadb ${Date.now().toString(36)}`;
  const task = await request.post('/api/scaffolder/v2/tasks', {
    headers: await headersOf(request, 'frank'),
    data: {
      templateRef: 'template:default/request-database-account',
      values: {
        database: 'resource:default/shop-db',
        privilege: 'read-only',
        reason,
      },
    },
  });
  expect(task.status()).toBe(201);
  const ticket = await ticketWithReason(request, reason);
  const decided = await request.post(
    `/api/tickets/tickets/${ticket.id}/decision`,
    {
      headers: await headersOf(request, 'carol'),
      data: { decision: 'approve' },
    },
  );
  expect(decided.status()).toBe(200);
  await expect
    .poll(async () => (await ticketState(request, ticket.id)).state, {
      timeout: 60_000,
    })
    .toBe('done');
  const account = accountName('frank', ticket.id, ticket.taskId);
  expect((await ticketState(request, ticket.id)).result).toMatchObject({
    account,
    engine: 'mysql',
    credential: `db-shop-db-${account}`,
  });
  const check = await mysql.createConnection(admin);
  try {
    const [users] = await check.query(
      'SELECT User FROM mysql.user WHERE User = ?',
      [account],
    );
    expect(users).toHaveLength(1);
    const [grants] = await check.query(`SHOW GRANTS FOR ?@'%'`, [account]);
    const text = JSON.stringify(grants);
    expect(text).toContain('GRANT SELECT ON `shop`.*');
    expect(text).not.toMatch(/INSERT|ALL PRIVILEGES/);
  } finally {
    await check.end();
  }
  // the account logs in (password only inside the backend) and can only read
  const login = await request.post(
    `/api/tickets/tickets/${ticket.id}/account-check`,
    { headers: await headersOf(request, 'frank') },
  );
  expect(await login.json()).toEqual({
    connected: true,
    canRead: true,
    canWrite: false,
  });
});
