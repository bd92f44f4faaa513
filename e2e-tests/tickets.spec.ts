import { createHash } from 'node:crypto';
import { APIRequestContext, Browser, expect, test } from '@playwright/test';
import { Client } from 'pg';
import { signIn, userToken } from './helpers';

// The demo database pay-db-main (examples/entities.yaml) is the test
// PostgreSQL that scripts/test.sh starts; its admin login is the vault
// credential pay-db-admin, which this spec puts there (as alice).
const PG = {
  host: '127.0.0.1',
  port: 55432,
  user: 'opsdeck',
  password: 'opsdeck-test-pw',
  database: 'postgres',
};

async function headersOf(request: APIRequestContext, user: string) {
  return { Authorization: `Bearer ${await userToken(request, user)}` };
}

async function ensureDatabaseAdminCredential(request: APIRequestContext) {
  // pay-db-main's database (spec.database) on the test PostgreSQL
  const admin = new Client(PG);
  await admin.connect();
  try {
    const exists = await admin.query(
      "SELECT 1 FROM pg_database WHERE datname = 'payments'",
    );
    if (exists.rowCount === 0) {
      await admin.query('CREATE DATABASE payments').catch(() => undefined);
    }
  } finally {
    await admin.end();
  }
  const headers = await headersOf(request, 'alice');
  const existing = await request.get('/api/vault/credentials/pay-db-admin', {
    headers,
  });
  if (existing.status() === 200) return;
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: {
      name: 'pay-db-admin',
      type: 'password',
      username: PG.user,
      owner: 'dba',
      description: 'Admin login of pay-db-main (test PostgreSQL)',
      secret: PG.password,
    },
  });
  expect([201, 409]).toContain(created.status());
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

/** The account name opsdeck derives (plugins/tickets-backend postgresAccount.ts). */
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
  await ensureDatabaseAdminCredential(request);
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
  await ensureDatabaseAdminCredential(request);
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
