import { request } from '@playwright/test';
import { DEMO_PASSWORD } from './helpers';

/**
 * The backend is ready (its health check) before the catalog has read the demo users: signing
 * in answers 404 until it has. The first spec waits for that here instead of failing.
 */
export default async function globalSetup() {
  const baseURL = process.env.OPSDECK_E2E_URL ?? 'http://localhost:7017';
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    const context = await request.newContext({ baseURL });
    try {
      const login = await context.post('/api/local-auth/login', {
        data: { username: 'alice', password: DEMO_PASSWORD },
      });
      const refresh = login.ok()
        ? await context.get('/api/auth/opsdeck/refresh', {
            headers: { 'X-Requested-With': 'XMLHttpRequest' },
          })
        : login;
      if (refresh.ok()) return;
      last = `${refresh.url()}: ${refresh.status()}`;
    } catch (e) {
      last = String(e);
    } finally {
      await context.dispose();
    }
    await new Promise(r => setTimeout(r, 2000));
  }
  throw new Error(`the demo users cannot sign in after 180 s (${last})`);
}
