import { APIRequestContext, expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'opsdeck-demo';

/** Signs in through the sign-in page as a demo user and waits for the sidebar. */
export async function signIn(
  page: Page,
  username: string,
  password = DEMO_PASSWORD,
) {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The sidebar's <nav> has no box of its own (its drawer is positioned), so
  // wait for it to exist and for the signed-in catalog page.
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }),
  ).toBeAttached();
  await expect(page.getByRole('link', { name: 'Settings' })).toBeVisible();
}

/** Logs in over the API and returns a Backstage user token for calling plugin routes. */
export async function userToken(request: APIRequestContext, username: string) {
  const login = await request.post('/api/local-auth/login', {
    data: { username, password: DEMO_PASSWORD },
  });
  expect(login.status()).toBe(200);
  const refresh = await request.get('/api/auth/opsdeck/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.status()).toBe(200);
  const body = await refresh.json();
  return body.backstageIdentity.token as string;
}

/**
 * Makes sure the vault holds `ops-ssh`, the credential the demo hosts
 * (examples/entities.yaml, sshd on 127.0.0.1:22301-22306) log in with, so a
 * spec that needs SSH does not depend on another spec having run first.
 * scripts/test.sh passes the sshd test user's key in OPSDECK_E2E_SSH_KEY.
 */
export async function ensureDemoSshCredential(request: APIRequestContext) {
  const keyFile = process.env.OPSDECK_E2E_SSH_KEY;
  expect(
    keyFile,
    'OPSDECK_E2E_SSH_KEY must name the sshd test key',
  ).toBeTruthy();
  const token = await userToken(request, 'alice');
  const headers = { Authorization: `Bearer ${token}` };
  const existing = await request.get('/api/vault/credentials/ops-ssh', {
    headers,
  });
  if (existing.status() === 200) return;
  expect(existing.status()).toBe(404);
  const { readFileSync } = await import('node:fs');
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: {
      name: 'ops-ssh',
      type: 'ssh-key',
      username: 'opsdeck',
      owner: 'ops',
      allowedUses: ['ssh-login'],
      description: 'Demo hosts (sshd test servers)',
      secret: readFileSync(keyFile!, 'utf8'),
    },
  });
  expect([201, 409]).toContain(created.status());
}

/** The test PostgreSQL that scripts/test.sh starts (the demo instance pay-db-main). */
export const TEST_POSTGRES_URL =
  process.env.OPSDECK_TEST_POSTGRES_URL ??
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432';

/** Connection settings of the test PostgreSQL for `pg`'s Client. */
export function testPostgres(database = 'postgres') {
  const url = new URL(TEST_POSTGRES_URL);
  return {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
}

/**
 * Makes pay-db-main usable: creates its database `payments` on the test
 * PostgreSQL and puts its admin login `pay-db-admin` into the vault (as
 * alice), unless they exist. `headers` overrides alice's token (for a backend
 * that is still starting).
 */
export async function ensureDemoDbCredential(
  request: APIRequestContext,
  headers?: Record<string, string>,
) {
  const { Client } = await import('pg');
  const pg = testPostgres();
  const admin = new Client(pg);
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
  const auth = headers ?? {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const existing = await request.get('/api/vault/credentials/pay-db-admin', {
    headers: auth,
  });
  if (existing.status() === 200) return;
  expect(existing.status()).toBe(404);
  const created = await request.post('/api/vault/credentials', {
    headers: auth,
    data: {
      name: 'pay-db-admin',
      type: 'password',
      username: pg.user,
      owner: 'dba',
      allowedUses: ['db-admin'],
      description: 'Admin login of pay-db-main (test PostgreSQL)',
      secret: pg.password,
    },
  });
  expect([201, 409]).toContain(created.status());
}
