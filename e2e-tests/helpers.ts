import { APIRequestContext, expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'opsdeck-demo';

/**
 * Signs in as a demo user and waits for the signed-in landing page. The
 * login goes over the API (the same POST the sign-in form makes, audited
 * the same way) on the page's own cookie jar: filling the form first would
 * load the app once more per test, measured at 3.5 s of every browser test
 * (bench/README.md, "test command"). `signInWithForm` is the form itself.
 */
export async function signIn(
  page: Page,
  username: string,
  password = DEMO_PASSWORD,
) {
  const login = await page.request.post('/api/local-auth/login', {
    data: { username, password },
  });
  expect(login.status(), `${username} signs in`).toBe(200);
  await page.goto('/');
  await expectSignedIn(page);
}

/** Signs in through the sign-in page's form, as a person does. */
export async function signInWithForm(
  page: Page,
  username: string,
  password = DEMO_PASSWORD,
) {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectSignedIn(page);
}

async function expectSignedIn(page: Page) {
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
  await waitForDemoHosts(request, headers);
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

/** The demo hosts of examples/entities.yaml (sshd on 127.0.0.1:22301-22306). */
export const DEMO_HOSTS = [
  'pay-app-01',
  'pay-app-02',
  'web-01',
  'web-02',
  'gw-01',
  'build-01',
];

/**
 * Waits until the catalog's demo hosts have reached the CMDB's host index,
 * which resolves every host selector (grants, jobs, config sets). The CMDB's
 * catalog sync fills it seconds after start, so the first spec to run would
 * otherwise find no host behind `{ host: 'web-02' }`.
 */
export async function waitForDemoHosts(
  request: APIRequestContext,
  headers: Record<string, string>,
  names: string[] = DEMO_HOSTS,
) {
  await expect
    .poll(
      async () => {
        const r = await request.post('/api/cmdb/hosts/resolve', {
          headers,
          data: { selector: { names }, limit: 0 },
        });
        return r.ok() ? (await r.json()).total : -1;
      },
      { timeout: 90_000, message: 'demo hosts in the CMDB host index' },
    )
    .toBe(names.length);
}

/**
 * Waits until the catalog has processed the demo org's groups. Pages that
 * offer groups (the credential dialog's owner picker) read them once when
 * they open; a spec that runs right after start would otherwise find none.
 */
export async function waitForDemoGroups(
  request: APIRequestContext,
  username = 'alice',
) {
  const headers = {
    Authorization: `Bearer ${await userToken(request, username)}`,
  };
  await expect
    .poll(
      async () => {
        const r = await request.get(
          '/api/catalog/entities/by-name/group/default/ops',
          { headers },
        );
        return r.status();
      },
      { timeout: 90_000, message: 'the demo groups in the catalog' },
    )
    .toBe(200);
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

/** The read-only login scripts/services/postgres.sh creates (pay-db-main's read credential). */
export const DEMO_READ_LOGIN = {
  user: 'opsdeck_read',
  password: 'opsdeck-read-pw',
};

/**
 * Makes pay-db-main usable: creates its database `payments` on the test
 * PostgreSQL (and, on a server started before scripts/services/postgres.sh
 * made them, the read-only login opsdeck_read and pg_stat_statements) and
 * puts its admin login `pay-db-admin` and read login `pay-db-read` into the
 * vault (as alice), unless they exist. `headers` overrides alice's token
 * (for a backend that is still starting).
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
    const role = await admin.query(
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [DEMO_READ_LOGIN.user],
    );
    if (role.rowCount === 0) {
      await admin
        .query(
          `CREATE ROLE ${DEMO_READ_LOGIN.user} LOGIN PASSWORD '${DEMO_READ_LOGIN.password}' IN ROLE pg_read_all_stats`,
        )
        .catch(() => undefined);
    }
  } finally {
    await admin.end();
  }
  const payments = new Client(testPostgres('payments'));
  await payments.connect();
  try {
    await payments
      .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
      .catch(() => undefined);
    await payments.query(
      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${DEMO_READ_LOGIN.user}`,
    );
    await payments.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${pg.user} IN SCHEMA public GRANT SELECT ON TABLES TO ${DEMO_READ_LOGIN.user}`,
    );
  } finally {
    await payments.end();
  }
  const auth = headers ?? {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  await ensurePasswordCredential(request, auth, {
    name: 'pay-db-read',
    username: DEMO_READ_LOGIN.user,
    secret: DEMO_READ_LOGIN.password,
    allowedUses: ['db-read'],
    description: 'Read-only login of pay-db-main (test PostgreSQL)',
  });
  await ensurePasswordCredential(request, auth, {
    name: 'pay-db-admin',
    username: pg.user,
    secret: pg.password,
    allowedUses: ['db-admin', 'db-change'],
    description: 'Admin login of pay-db-main (test PostgreSQL)',
  });
}

/** Puts a password credential (owner dba) into the vault unless it exists. */
async function ensurePasswordCredential(
  request: APIRequestContext,
  headers: Record<string, string>,
  c: {
    name: string;
    username: string;
    secret: string;
    allowedUses: string[];
    description: string;
  },
) {
  const existing = await request.get(`/api/vault/credentials/${c.name}`, {
    headers,
  });
  if (existing.status() === 200) return;
  expect(existing.status()).toBe(404);
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: { ...c, type: 'password', owner: 'dba' },
  });
  expect([201, 409]).toContain(created.status());
}

export type Language = 'en' | 'zh-CN';

/**
 * Picks the display language in Settings. It is stored with the user's
 * settings on the server, so a spec that switches to zh-CN switches back
 * (see inLanguage).
 */
export async function setLanguage(page: Page, language: Language) {
  await page.goto('/settings');
  await page
    .getByRole('button', { name: /^(English|简体中文)$/ })
    .first()
    .click();
  await page
    .getByRole('option', { name: language === 'en' ? 'English' : /中文/ })
    .click();
  await expect(
    page.getByRole('button', {
      name: language === 'en' ? 'English' : '简体中文',
    }),
  ).toBeVisible();
}

/** Runs `fn` with the user's language set to `language`, then back to English. */
export async function inLanguage(
  page: Page,
  language: Language,
  fn: () => Promise<void>,
) {
  if (language === 'en') {
    await fn();
    return;
  }
  await setLanguage(page, language);
  try {
    await fn();
  } finally {
    await setLanguage(page, 'en');
  }
}

/** The fixture Kubernetes API server answers on the port the demo cluster k8s-demo names (examples/entities.yaml). */
export const DEMO_CLUSTER_PORT = 18390;

/**
 * Makes the vault's k8s-demo-token (the demo cluster's service-account token,
 * for people and for the pod poll) hold `token`, whether or not an earlier
 * spec created it with another one.
 */
export async function ensureDemoClusterToken(
  request: APIRequestContext,
  token: string,
) {
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'alice')}`,
  };
  const policy = {
    owner: 'ops',
    allowedUses: ['kubernetes-token', 'kubernetes-poll'],
  };
  const existing = await request.get('/api/vault/credentials/k8s-demo-token', {
    headers,
  });
  if (existing.status() === 200) {
    const replaced = await request.put(
      '/api/vault/credentials/k8s-demo-token/secret',
      { headers, data: { secret: token } },
    );
    expect(replaced.status()).toBeLessThan(300);
    const set = await request.put(
      '/api/vault/credentials/k8s-demo-token/policy',
      { headers, data: policy },
    );
    expect(set.status()).toBe(200);
    return;
  }
  expect(existing.status()).toBe(404);
  const created = await request.post('/api/vault/credentials', {
    headers,
    data: {
      name: 'k8s-demo-token',
      type: 'password',
      ...policy,
      description: 'Service-account token of the demo cluster',
      secret: token,
    },
  });
  expect(created.status()).toBe(201);
}

/** A translation message with its {{placeholders}} filled in. */
export const fill = (message: string, values: Record<string, string>) =>
  Object.entries(values).reduce(
    (s, [k, v]) => s.replace(`{{${k}}}`, v),
    message,
  );

/** The Hosts page with its rows in, and its `title` button (e.g. Collect all) usable. */
export async function openHosts(page: Page, title: RegExp | string) {
  await page.goto('/hosts');
  await expect(page.getByTestId('host-row').first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: title })).toBeEnabled();
}
