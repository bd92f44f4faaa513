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
