import { APIRequestContext, expect, test } from '@playwright/test';
import { signIn, userToken } from './helpers';

// Ticket workflows run through the real scaffolder: prod-only approval in
// front of the CMDB templates, the bug fix → verify → close flow with the
// reporter's confirmation, a build handed to testing, and server access
// fulfilled by the bastion (templates/).

const tokens = new Map<string, string>();
async function headersOf(request: APIRequestContext, user: string) {
  if (!tokens.has(user)) tokens.set(user, await userToken(request, user));
  return { Authorization: `Bearer ${tokens.get(user)}` };
}

/** Starts a template run as `user` through the scaffolder API. */
async function startTask(
  request: APIRequestContext,
  user: string,
  template: string,
  values: Record<string, unknown>,
): Promise<string> {
  const res = await request.post('/api/scaffolder/v2/tasks', {
    headers: await headersOf(request, user),
    data: { templateRef: `template:default/${template}`, values },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).id;
}

async function taskStatus(request: APIRequestContext, id: string) {
  const res = await request.get(`/api/scaffolder/v2/tasks/${id}`, {
    headers: await headersOf(request, 'alice'),
  });
  return (await res.json()).status as string;
}

/** The tickets a task opened (any state), newest first. */
async function ticketsOfTask(request: APIRequestContext, taskId: string) {
  const res = await request.get('/api/tickets/tickets?view=all&limit=200', {
    headers: await headersOf(request, 'alice'),
  });
  return ((await res.json()).items as any[]).filter(t => t.taskId === taskId);
}

/** The ticket a task's step opened, once it waits for a decision. */
async function waitingTicket(
  request: APIRequestContext,
  taskId: string,
  title: RegExp,
) {
  let found: any;
  await expect
    .poll(
      async () => {
        found = (await ticketsOfTask(request, taskId)).find(
          t => title.test(t.title) && t.state === 'awaiting_approval',
        );
        return Boolean(found);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return found as { id: number; title: string; assignees: string[] };
}

async function decide(
  request: APIRequestContext,
  user: string,
  id: number,
  decision: 'approve' | 'reject',
  comment?: string,
) {
  return request.post(`/api/tickets/tickets/${id}/decision`, {
    headers: await headersOf(request, user),
    data: { decision, ...(comment ? { comment } : {}) },
  });
}

async function finished(request: APIRequestContext, taskId: string) {
  await expect
    .poll(() => taskStatus(request, taskId), { timeout: 90_000 })
    .toMatch(/^(completed|failed)$/);
  return taskStatus(request, taskId);
}

/** Registers a CMDB host (as alice) and waits until the catalog has it. */
async function registerHost(
  request: APIRequestContext,
  name: string,
  environment: string,
) {
  const headers = await headersOf(request, 'alice');
  const registered = await request.post('/api/cmdb/hosts', {
    headers,
    data: {
      hosts: [
        {
          name,
          address: '127.0.0.1',
          port: 22306,
          environment,
          owner: 'group:default/ops',
        },
      ],
    },
  });
  expect(registered.status()).toBe(200);
  await expect(async () => {
    const res = await request.get(
      `/api/catalog/entities/by-name/resource/default/${name}`,
      { headers },
    );
    expect(res.status()).toBe(200);
  }).toPass({ timeout: 120_000 });
}

test('decommissioning a prod host waits for ops approval; a test host does not', async ({
  request,
}) => {
  test.setTimeout(240_000);
  const suffix = Date.now().toString(36);
  const prod = `e2e-prod-${suffix}`;
  const other = `e2e-test-${suffix}`;
  await registerHost(request, prod, 'prod');
  await registerHost(request, other, 'test');

  // test environment: no approval step, the host is gone right away
  const direct = await startTask(request, 'bob', 'decommission-host', {
    host: `resource:default/${other}`,
    reason: 'e2e: non-prod needs no approval',
    confirm: true,
  });
  expect(await finished(request, direct)).toBe('completed');
  expect(await ticketsOfTask(request, direct)).toEqual([]);
  const gone = await request.get(`/api/cmdb/hosts/${other}`, {
    headers: await headersOf(request, 'alice'),
  });
  expect(gone.status()).toBe(404);

  // prod: bob's run waits for ops; the host stays until alice approves
  const task = await startTask(request, 'bob', 'decommission-host', {
    host: `resource:default/${prod}`,
    reason: 'e2e: prod needs approval',
    confirm: true,
  });
  const ticket = await waitingTicket(request, task, /^Decommission /);
  expect(ticket.assignees).toEqual(['group:default/ops']);
  expect(await taskStatus(request, task)).toBe('processing');
  const still = await request.get(`/api/cmdb/hosts/${prod}`, {
    headers: await headersOf(request, 'alice'),
  });
  expect(still.status()).toBe(200);
  // bob is in ops but it is his own request
  expect((await decide(request, 'bob', ticket.id, 'approve')).status()).toBe(
    403,
  );
  expect(
    (await decide(request, 'alice', ticket.id, 'approve', 'ok')).status(),
  ).toBe(200);
  expect(await finished(request, task)).toBe('completed');
  const after = await request.get(`/api/cmdb/hosts/${prod}`, {
    headers: await headersOf(request, 'alice'),
  });
  expect(after.status()).toBe(404);
  const closed = await request.get(`/api/tickets/tickets/${ticket.id}`, {
    headers: await headersOf(request, 'alice'),
  });
  expect((await closed.json()).state).toBe('done');
});

test('bug fix → verify → close: only the reporter can confirm the fix', async ({
  request,
}) => {
  test.setTimeout(180_000);
  const title = `e2e bug ${Date.now().toString(36)}`;
  const task = await startTask(request, 'frank', 'bug-fix', {
    title,
    description: 'The page is blank',
    assignee: 'user:default/bob',
  });
  const fix = await waitingTicket(request, task, /^Bug: /);
  expect(fix.assignees).toEqual(['user:default/bob']);
  expect(
    (
      await decide(request, 'bob', fix.id, 'approve', 'fixed in 1.0.1')
    ).status(),
  ).toBe(200);

  const verify = await waitingTicket(request, task, /^Confirm the fix: /);
  expect(verify.assignees).toEqual(['user:default/frank']);
  // bob (who fixed it) and alice (admin) cannot confirm for the reporter
  for (const other of ['bob', 'alice', 'carol']) {
    const refused = await decide(request, other, verify.id, 'approve');
    expect(refused.status()).toBe(403);
  }
  expect(await taskStatus(request, task)).toBe('processing');
  expect(
    (await decide(request, 'frank', verify.id, 'approve', 'works')).status(),
  ).toBe(200);
  expect(await finished(request, task)).toBe('completed');
  const states = (await ticketsOfTask(request, task)).map(t => t.state);
  expect(states).toEqual(['done', 'done']);
});

test('a build goes to testing: QA accepts and finishes it in the browser, a developer cannot accept', async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const version = `1.0.${Date.now().toString(36)}`;

  // frank (dev) hands the build over in the browser; the test team defaults to qa
  const frankContext = await browser.newContext();
  const frank = await frankContext.newPage();
  await signIn(frank, 'frank');
  await frank.goto('/create/templates/default/submit-build-for-testing');
  await frank
    .getByRole('textbox', { name: /^Artifact/ })
    .fill('payments-service');
  await frank.getByRole('textbox', { name: /^Version/ }).fill(version);
  await frank.getByRole('button', { name: 'Review' }).click();
  await expect(frank.getByText('group:default/qa').first()).toBeVisible();
  await frank.getByRole('button', { name: 'Create' }).click();
  await expect(
    frank.getByText('The test team accepts the build').first(),
  ).toBeVisible();

  let accept: any;
  await expect
    .poll(
      async () => {
        const res = await request.get('/api/tickets/tickets?view=mine', {
          headers: await headersOf(request, 'frank'),
        });
        accept = (await res.json()).items.find(
          (t: any) => t.details?.version === version,
        );
        return accept?.state;
      },
      { timeout: 60_000 },
    )
    .toBe('awaiting_approval');
  expect(accept.assignees).toEqual(['group:default/qa']);
  const task = accept.taskId as string;

  // developers cannot accept: frank because it is his own build, dave because
  // he is not in the test team (both have the dev role, like qa)
  for (const dev of ['frank', 'dave']) {
    expect((await decide(request, dev, accept.id, 'approve')).status()).toBe(
      403,
    );
  }
  const daveContext = await browser.newContext();
  const dave = await daveContext.newPage();
  await signIn(dave, 'dave');
  await dave.goto(`/tickets/${accept.id}`);
  await expect(dave.getByTestId('ticket-not-approver')).toBeVisible();
  await expect(dave.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await daveContext.close();

  // quinn (qa) finds it under "Waiting for me" and accepts it
  const quinnContext = await browser.newContext();
  const quinn = await quinnContext.newPage();
  await signIn(quinn, 'quinn');
  await quinn
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Tickets' })
    .click();
  await quinn.getByRole('tab', { name: 'Waiting for me' }).click();
  await quinn.getByRole('link', { name: `#${accept.id}`, exact: true }).click();
  await expect(quinn.getByText(`Ticket ${accept.id}:`)).toBeVisible();
  await quinn
    .getByRole('textbox', { name: 'Comment for the decision' })
    .fill('taking it');
  await quinn.getByRole('button', { name: 'Approve' }).click();
  await expect(quinn.getByText('Your decision was recorded.')).toBeVisible();

  // the tester who accepted is assigned the testing ticket; only they finish it
  const testing = await waitingTicket(request, task, /^Testing of /);
  expect(testing.assignees).toEqual(['user:default/quinn']);
  for (const other of ['frank', 'dave']) {
    expect((await decide(request, other, testing.id, 'approve')).status()).toBe(
      403,
    );
  }
  await quinn.getByRole('link', { name: 'All tickets' }).click();
  await quinn.getByRole('tab', { name: 'Waiting for me' }).click();
  await quinn
    .getByRole('link', { name: `#${testing.id}`, exact: true })
    .click();
  await expect(quinn.getByText(`Ticket ${testing.id}:`)).toBeVisible();
  await quinn
    .getByRole('textbox', { name: 'Comment for the decision' })
    .fill('all green');
  await quinn.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(quinn.getByText('Your decision was recorded.')).toBeVisible();

  expect(await finished(request, task)).toBe('completed');
  await quinn.goto(`/tickets/${accept.id}`);
  await expect(quinn.getByTestId('ticket-state')).toHaveText('Done');
  await expect(quinn.getByTestId('ticket-message')).toContainText(
    'tested by user:default/quinn',
  );
  await quinnContext.close();
  await frankContext.close();
});

/** frank's bastion grants on a host that came from a ticket. */
async function grantsOfTicket(
  request: APIRequestContext,
  host: string,
  ticketId: number,
) {
  const res = await request.get(`/api/bastion/hosts/${host}/access`, {
    headers: await headersOf(request, 'frank'),
  });
  expect(res.status()).toBe(200);
  return ((await res.json()).grants as any[]).filter(
    g => g.reason === `ticket ${ticketId}`,
  );
}

test('server access: picked in the browser, approved → a bastion grant for that user and host; rejected → none', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  // frank picks the host with the host picker, filtered to the dev environment
  await signIn(page, 'frank');
  await page.goto('/create/templates/default/request-server-access');
  await page.getByRole('button', { name: /^Environment/ }).click();
  await page.getByRole('option', { name: 'dev' }).click();
  await page.getByRole('textbox', { name: /^Hosts/ }).click();
  await expect(page.getByRole('option', { name: /web-01/ })).toHaveCount(0);
  await page.getByRole('option', { name: /build-01/ }).click();
  const reason = `e2e bastion ${Date.now().toString(36)}`;
  await page.getByRole('textbox', { name: /^Reason/ }).fill(reason);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByText('Approval by ops').first()).toBeVisible();

  let ticket: any;
  await expect
    .poll(
      async () => {
        const res = await request.get('/api/tickets/tickets?view=mine', {
          headers: await headersOf(request, 'frank'),
        });
        ticket = (await res.json()).items.find(
          (t: any) => t.details?.reason === reason,
        );
        return ticket?.state;
      },
      { timeout: 60_000 },
    )
    .toBe('awaiting_approval');
  expect(ticket.details.hosts).toBe('resource:default/build-01');
  expect(await grantsOfTicket(request, 'build-01', ticket.id)).toEqual([]);
  expect((await decide(request, 'bob', ticket.id, 'approve')).status()).toBe(
    200,
  );
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(`/api/tickets/tickets/${ticket.id}`, {
              headers: await headersOf(request, 'frank'),
            })
          ).json()
        ).state,
      { timeout: 60_000 },
    )
    .toBe('done');
  const grants = await grantsOfTicket(request, 'build-01', ticket.id);
  expect(grants).toHaveLength(1);
  expect(grants[0]).toMatchObject({
    subject: 'user:default/frank',
    selector: { host: 'build-01' },
    loginUser: 'opsdeck',
  });

  // a rejected request creates no grant
  const rejectedTask = await startTask(
    request,
    'frank',
    'request-server-access',
    {
      hosts: ['resource:default/build-01'],
      hours: 1,
      reason: `${reason} (rejected)`,
    },
  );
  const rejected = await waitingTicket(request, rejectedTask, /^Access to /);
  expect(
    (await decide(request, 'bob', rejected.id, 'reject', 'no')).status(),
  ).toBe(200);
  expect(await finished(request, rejectedTask)).toBe('failed');
  expect(await grantsOfTicket(request, 'build-01', rejected.id)).toEqual([]);

  // the server refuses a host that is not in the catalog, before any ticket
  const bogus = await startTask(request, 'frank', 'request-server-access', {
    hosts: ['resource:default/no-such-host'],
    hours: 1,
    reason: 'bogus',
  });
  expect(await finished(request, bogus)).toBe('failed');
  expect(await ticketsOfTask(request, bogus)).toEqual([]);
  const log = await request.get(`/api/scaffolder/v2/tasks/${bogus}/events`, {
    headers: await headersOf(request, 'frank'),
  });
  expect(await log.text()).toContain(
    'resource:default/no-such-host does not exist in the catalog',
  );
});
