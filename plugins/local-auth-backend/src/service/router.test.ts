import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { localAuthPlugin } from '../plugin';
import {
  serviceToken,
  testHttpAuth,
  userToken,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const sessionSecret = 'router-test-secret-0123456789';

function config(extra: Record<string, unknown> = {}) {
  return mockServices.rootConfig.factory({
    data: {
      backend: { baseUrl: 'http://localhost:7007' },
      opsdeck: {
        localAuth: {
          sessionSecret,
          maxFailedAttempts: 3,
          lockoutMinutes: 15,
          sessionDuration: 60,
          scryptCost: 10,
          seedUsers: [
            { name: 'alice', password: 'opsdeck-demo' },
            { name: 'bob', password: 'opsdeck-demo' },
          ],
          ...extra,
        },
      },
    },
  });
}

function sessionCookieOf(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find(c => c.startsWith('opsdeck_session='));
}
const tokenOf = (res: request.Response) =>
  sessionCookieOf(res)!.split(';')[0].slice('opsdeck_session='.length);

describe('local-auth router', () => {
  const authorize = jest.fn();
  const auditEvents: Array<{
    eventId: string;
    meta?: Record<string, unknown>;
    outcome?: 'success' | 'fail';
    error?: Error;
  }> = [];

  async function start(extraConfig: Record<string, unknown> = {}) {
    auditEvents.length = 0;
    const { server } = await startTestBackend({
      features: [
        localAuthPlugin,
        config(extraConfig),
        testHttpAuth(),
        mockServices.permissions.mock({ authorize }).factory,
        mockServices.auditor.mock({
          createEvent: async options => {
            const entry: (typeof auditEvents)[number] = {
              eventId: options.eventId,
              meta: options.meta,
            };
            auditEvents.push(entry);
            return {
              success: async params => {
                entry.outcome = 'success';
                entry.meta = { ...entry.meta, ...params?.meta };
              },
              fail: async params => {
                entry.outcome = 'fail';
                entry.error = params.error;
              },
            };
          },
        }).factory,
      ],
    });
    const login = (username: string, password = 'opsdeck-demo') =>
      request(server)
        .post('/api/local-auth/login')
        .send({ username, password });
    /** What the auth plugin's `opsdeck` provider does at a refresh. */
    const lookup = (token: string) =>
      request(server)
        .post('/api/local-auth/internal/sessions/lookup')
        .set('Authorization', `Bearer ${serviceToken('auth')}`)
        .send({ token });
    return { server, login, lookup };
  }

  beforeEach(() => {
    authorize.mockReset();
    authorize.mockImplementation(async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    );
  });

  it('a sign-in at once after start waits for the seed accounts, which start-up does not wait for', async () => {
    // a real scrypt cost: seeding takes longer than the rest of the plugin's start
    const { login } = await start({ scryptCost: 16 });
    const [alice, bob] = await Promise.all([login('alice'), login('bob')]);
    expect(alice.status).toBe(200);
    expect(bob.status).toBe(200);
  });

  it('signs in with a session row; the cookie is a random token, not a signature over the name', async () => {
    const { login, lookup } = await start();
    const res = await login('alice').set('User-Agent', 'jest-browser');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'alice' });
    const cookie = sessionCookieOf(res)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toMatch(/Secure/);
    const token = tokenOf(res);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain('alice');
    const found = await lookup(token);
    expect(found.body.session).toEqual({
      id: expect.any(String),
      account: 'alice',
    });
    expect(auditEvents).toEqual([
      {
        eventId: 'account-login',
        meta: {
          actor: 'user:default/alice',
          target: 'user:default/alice',
          sessionId: found.body.session.id,
        },
        outcome: 'success',
      },
    ]);
    expect(JSON.stringify(auditEvents)).not.toContain('opsdeck-demo');
    // a cookie in the old format (name.expiry.hmac) opens nothing
    expect((await lookup(`alice.${Date.now() + 60_000}.abc`)).body).toEqual({});
  });

  it('gives the same answer for an unknown user, a wrong password and a locked account', async () => {
    const { login } = await start();
    const unknown = await login('mallory', 'whatever-password');
    const wrong = await login('bob', 'wrong-password-1');
    await login('bob', 'wrong-password-2');
    await login('bob', 'wrong-password-3');
    const locked = await login('bob', 'opsdeck-demo');
    for (const res of [unknown, wrong, locked]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unknown.body);
      expect(sessionCookieOf(res)).toBeUndefined();
    }
    expect(unknown.body.error.message).toBe(
      'Invalid username or password, or too many failed sign-ins; try again later',
    );
  });

  it('throttles an address after too many failures, whatever account it tries', async () => {
    const { login } = await start({ addressMaxFailures: 4 });
    for (const name of ['a1', 'a2', 'a3', 'a4']) {
      expect((await login(name, 'wrong-password')).status).toBe(401);
    }
    const throttled = await login('alice');
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.name).toBe('TooManyRequestsError');
  });

  it('ends the session at logout, so the old cookie mints nothing', async () => {
    const { server, login, lookup } = await start();
    const token = tokenOf(await login('alice'));
    const res = await request(server)
      .post('/api/local-auth/logout')
      .set('Cookie', `opsdeck_session=${token}`);
    expect(res.status).toBe(204);
    expect(sessionCookieOf(res)).toMatch(/opsdeck_session=;/);
    expect((await lookup(token)).body).toEqual({});
    expect(auditEvents.at(-1)).toMatchObject({
      eventId: 'account-logout',
      meta: { actor: 'user:default/alice' },
    });
  });

  it('answers a tab whether its session is live, until an admin signs the user out everywhere', async () => {
    const { server, login, lookup } = await start();
    const first = (await lookup(tokenOf(await login('bob')))).body.session.id;
    const second = (await lookup(tokenOf(await login('bob')))).body.session.id;
    const check = (name: string, sid?: string) =>
      request(server)
        .get('/api/local-auth/me/session')
        .set('Authorization', `Bearer ${userToken(name, sid)}`);
    expect((await check('bob', first)).body).toMatchObject({
      active: true,
      local: true,
      sessionId: first,
    });
    // another user's session id is not theirs
    expect((await check('alice', first)).status).toBe(401);
    // tokens of other sign-in providers carry no session id
    expect((await check('alice')).body).toEqual({ active: true, local: false });

    const sessions = await request(server)
      .get('/api/local-auth/accounts/bob/sessions')
      .set('Authorization', `Bearer ${userToken('alice')}`);
    expect(sessions.body.items.map((s: { id: string }) => s.id).sort()).toEqual(
      [first, second].sort(),
    );
    expect(sessions.body.items[0]).toEqual({
      id: expect.any(String),
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: expect.any(String),
      address: expect.stringMatching(/127\.0\.0\.1/),
      lastAddress: expect.stringMatching(/127\.0\.0\.1/),
    });

    const out = await request(server)
      .post('/api/local-auth/accounts/bob/sign-out-everywhere')
      .set('Authorization', `Bearer ${userToken('alice')}`);
    expect(out.body).toEqual({ sessionsEnded: 2 });
    expect(auditEvents.at(-1)).toEqual({
      eventId: 'account-sign-out-everywhere',
      meta: {
        actor: 'user:default/alice',
        target: 'user:default/bob',
        sessionsEnded: 2,
      },
      outcome: 'success',
    });
    const ended = await check('bob', first);
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toBe('Your opsdeck session has ended');
  });

  it('lists accounts with lock state and live sessions, and says whether the caller may manage', async () => {
    const { server, login } = await start();
    await login('alice');
    for (let i = 0; i < 3; i++) await login('bob', `wrong-password-${i}`);
    authorize.mockImplementation(async requests =>
      requests.map((r: { permission: { name: string } }) => ({
        result:
          r.permission.name === 'opsdeck.local-auth.account.read'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
    );
    const res = await request(server)
      .get('/api/local-auth/accounts')
      .set('Authorization', `Bearer ${userToken('erin')}`);
    expect(res.status).toBe(200);
    expect(res.body.canManage).toBe(false);
    const [alice, bob] = res.body.items;
    expect(alice).toMatchObject({ name: 'alice', sessions: 1, locked: false });
    expect(alice.lastLoginAt).toEqual(expect.any(String));
    expect(bob).toMatchObject({
      name: 'bob',
      sessions: 0,
      locked: false,
      failedAttempts: 3,
      lockedAddresses: [{ address: expect.stringMatching(/127\.0\.0\.1/) }],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|hash/i);
    // a reader cannot change anything
    for (const [method, path] of [
      ['post', '/api/local-auth/accounts/bob/unlock'],
      ['post', '/api/local-auth/accounts/bob/sign-out-everywhere'],
    ] as const) {
      const denied = await request(server)
        [method](path)
        .set('Authorization', `Bearer ${userToken('erin')}`);
      expect(denied.status).toBe(403);
    }
  });

  it('resets a password (ending every session) and unlocks, audited with the admin as actor', async () => {
    const { server, login, lookup } = await start();
    const token = tokenOf(await login('bob'));
    for (let i = 0; i < 3; i++) await login('bob', `wrong-password-${i}`);
    expect((await login('bob')).status).toBe(401);
    const admin = `Bearer ${userToken('alice')}`;
    const unlock = await request(server)
      .post('/api/local-auth/accounts/bob/unlock')
      .set('Authorization', admin);
    expect(unlock.status).toBe(204);
    expect(auditEvents.at(-1)).toMatchObject({
      eventId: 'account-unlock',
      meta: { actor: 'user:default/alice', target: 'user:default/bob' },
    });
    expect((await login('bob')).status).toBe(200);
    const reset = await request(server)
      .put('/api/local-auth/accounts/bob/password')
      .set('Authorization', admin)
      .send({ password: 'a-new-password-for-bob' });
    expect(reset.body).toEqual({
      name: 'bob',
      created: false,
      sessionsEnded: 2,
    });
    expect((await lookup(token)).body).toEqual({});
    expect(auditEvents.at(-1)).toMatchObject({
      eventId: 'account-password-set',
      meta: { actor: 'user:default/alice', sessionsEnded: 2 },
    });
    const tooShort = await request(server)
      .put('/api/local-auth/accounts/bob/password')
      .set('Authorization', admin)
      .send({ password: 'short' });
    expect(tooShort.status).toBe(400);
  });

  it('lets a user change their own password, keeping the current session only', async () => {
    const { server, login, lookup } = await start();
    const current = (await lookup(tokenOf(await login('alice')))).body.session
      .id;
    const other = tokenOf(await login('alice'));
    const res = await request(server)
      .post('/api/local-auth/me/password')
      .set('Authorization', `Bearer ${userToken('alice', current)}`)
      .send({
        currentPassword: 'opsdeck-demo',
        newPassword: 'my-new-password',
      });
    expect(res.body).toEqual({ sessionsEnded: 1 });
    expect((await lookup(other)).body).toEqual({});
    expect((await login('alice', 'my-new-password')).status).toBe(200);
    const wrong = await request(server)
      .post('/api/local-auth/me/password')
      .set('Authorization', `Bearer ${userToken('alice', current)}`)
      .send({
        currentPassword: 'not-my-password',
        newPassword: 'x'.repeat(12),
      });
    expect(wrong.status).toBe(403);
  });

  it('keeps the internal routes for backend plugins: password checks for any, sessions for auth', async () => {
    const { server, login, lookup } = await start();
    const token = tokenOf(await login('alice'));
    const verify = (auth: string, password: string) =>
      request(server)
        .post('/api/local-auth/internal/verify-password')
        .set('Authorization', `Bearer ${auth}`)
        .send({
          userEntityRef: 'user:default/alice',
          password,
          address: '10.9.9.9',
        });
    expect(
      (await verify(serviceToken('bastion'), 'opsdeck-demo')).body,
    ).toEqual({
      ok: true,
    });
    expect(
      (await verify(serviceToken('bastion'), 'wrong-password')).body,
    ).toEqual({
      ok: false,
    });
    expect(auditEvents.at(-1)).toMatchObject({
      eventId: 'account-password-verify',
      meta: { actor: 'user:default/alice', via: 'plugin:bastion' },
      outcome: 'fail',
    });
    expect((await verify(userToken('alice'), 'opsdeck-demo')).status).toBe(403);
    expect((await verify('external:ci', 'opsdeck-demo')).status).toBe(403);
    const bySomeone = await request(server)
      .post('/api/local-auth/internal/sessions/lookup')
      .set('Authorization', `Bearer ${serviceToken('bastion')}`)
      .send({ token });
    expect(bySomeone.status).toBe(403);

    // the first refresh records the ownership refs; another set ends the session
    const id = (await lookup(token)).body.session.id;
    const confirm = (refs: string[]) =>
      request(server)
        .post('/api/local-auth/internal/sessions/confirm')
        .set('Authorization', `Bearer ${serviceToken('auth')}`)
        .send({ sessionId: id, ownershipEntityRefs: refs });
    const refs = ['user:default/alice', 'group:default/admins'];
    expect((await confirm(refs)).body).toEqual({ ok: true });
    expect((await confirm([...refs].reverse())).body).toEqual({ ok: true });
    expect((await confirm(['user:default/alice'])).body).toEqual({ ok: false });
    expect(auditEvents.at(-1)).toMatchObject({
      eventId: 'account-session-end',
      meta: { actor: 'user:default/alice', reason: 'role-change' },
    });
    expect((await lookup(token)).body).toEqual({});
    expect((await confirm(refs)).body).toEqual({ ok: false });
  });

  it('refuses unauthenticated admin calls and malformed logins', async () => {
    const { server } = await start();
    expect((await request(server).get('/api/local-auth/accounts')).status).toBe(
      401,
    );
    expect(
      (await request(server).get('/api/local-auth/me/session')).status,
    ).toBe(401);
    const bad = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice' });
    expect(bad.status).toBe(400);
  });

  it('refuses to start without a session secret', async () => {
    await expect(
      startTestBackend({
        features: [
          localAuthPlugin,
          mockServices.rootConfig.factory({ data: {} }),
        ],
      }),
    ).rejects.toThrow(/opsdeck\.localAuth\.sessionSecret is not set/);
  });
});

describe('local-auth router with the real auditor', () => {
  it('logs in through the default auditor service', async () => {
    const { server } = await startTestBackend({
      features: [
        localAuthPlugin,
        config(),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    const res = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'opsdeck-demo' });
    expect(res.status).toBe(200);
    const failed = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'wrong-password' });
    expect(failed.status).toBe(401);
  });
});
