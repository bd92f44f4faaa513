import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { localAuthPlugin } from '../plugin';
import { verifySessionToken } from '../lib/sessionToken';

jest.setTimeout(60_000);

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
        // Requests without a token are anonymous, as in production.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
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
    return server;
  }

  beforeEach(() => {
    authorize.mockReset();
    authorize.mockImplementation(async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    );
  });

  it('signs a seeded user in and sets the session cookie', async () => {
    const server = await start();
    const before = Date.now();
    const res = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'opsdeck-demo' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'alice' });

    const cookie = sessionCookieOf(res)!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toMatch(/Secure/);
    const token = cookie.split(';')[0].slice('opsdeck_session='.length);
    const session = verifySessionToken(token, sessionSecret);
    expect(session?.username).toBe('alice');
    expect(session!.expiresAt.getTime()).toBeGreaterThanOrEqual(
      before + 3_600_000,
    );

    expect(auditEvents).toEqual([
      {
        eventId: 'account-login',
        meta: { actor: 'user:default/alice', target: 'user:default/alice' },
        outcome: 'success',
      },
    ]);
    expect(JSON.stringify(auditEvents)).not.toContain('opsdeck-demo');
  });

  it('marks the cookie Secure when the backend is served over https', async () => {
    auditEvents.length = 0;
    const { server } = await startTestBackend({
      features: [
        localAuthPlugin,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'https://opsdeck.example.com' },
            opsdeck: {
              localAuth: {
                sessionSecret,
                seedUsers: [{ name: 'alice', password: 'opsdeck-demo' }],
              },
            },
          },
        }),
      ],
    });
    const res = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'opsdeck-demo' });
    expect(res.status).toBe(200);
    expect(sessionCookieOf(res)).toMatch(/; Secure/);
    expect(sessionCookieOf(res)).toMatch(/Max-Age=43200/);
  });

  it('answers wrong passwords and unknown users with the same 401', async () => {
    const server = await start();
    const wrong = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'not-the-password' });
    const unknown = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'nobody', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe('Invalid username or password');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expect(sessionCookieOf(wrong)).toBeUndefined();
    expect(auditEvents.map(e => [e.eventId, e.outcome, e.meta?.actor])).toEqual(
      [
        ['account-login', 'fail', 'user:default/alice'],
        ['account-login', 'fail', 'user:default/nobody'],
      ],
    );
  });

  it('rejects malformed login bodies', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice' });
    expect(res.status).toBe(400);
  });

  it('locks the account with a clear message and unlock time', async () => {
    const server = await start();
    const attempt = (password: string) =>
      request(server)
        .post('/api/local-auth/login')
        .send({ username: 'bob', password });
    expect((await attempt('wrong-1')).status).toBe(401);
    expect((await attempt('wrong-2')).status).toBe(401);
    const locking = await attempt('wrong-3');
    expect(locking.status).toBe(423);
    expect(locking.body.error.name).toBe('AccountLockedError');
    expect(locking.body.error.message).toMatch(/locked/);
    const lockedUntil = new Date(locking.body.lockedUntil).getTime();
    expect(lockedUntil).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(lockedUntil).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

    const right = await attempt('opsdeck-demo');
    expect(right.status).toBe(423);
    expect(right.body.lockedUntil).toBe(locking.body.lockedUntil);
    expect(sessionCookieOf(right)).toBeUndefined();

    const list = await request(server)
      .get('/api/local-auth/accounts')
      .set('Authorization', mockCredentials.user.header('user:default/admin'));
    expect(list.status).toBe(200);
    expect(list.body.items.find((a: any) => a.name === 'bob')).toMatchObject({
      locked: true,
      failedAttempts: 3,
      lockedUntil: locking.body.lockedUntil,
    });

    const unlock = await request(server)
      .post('/api/local-auth/accounts/bob/unlock')
      .set('Authorization', mockCredentials.user.header('user:default/admin'));
    expect(unlock.status).toBe(204);
    expect((await attempt('opsdeck-demo')).status).toBe(200);
    expect(
      auditEvents
        .filter(e => e.eventId === 'account-unlock')
        .map(e => [e.outcome, e.meta]),
    ).toEqual([
      ['success', { actor: 'user:default/admin', target: 'user:default/bob' }],
    ]);
  });

  it('clears the cookie on logout', async () => {
    const server = await start();
    const login = await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'opsdeck-demo' });
    const cookie = sessionCookieOf(login)!.split(';')[0];
    const res = await request(server)
      .post('/api/local-auth/logout')
      .set('Cookie', cookie);
    expect(res.status).toBe(204);
    const cleared = sessionCookieOf(res)!;
    expect(cleared).toMatch(/^opsdeck_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(auditEvents.at(-1)).toEqual({
      eventId: 'account-logout',
      meta: { actor: 'user:default/alice', target: 'user:default/alice' },
      outcome: 'success',
    });
  });

  it('lists accounts without hashes for readers', async () => {
    const server = await start();
    await request(server)
      .post('/api/local-auth/login')
      .send({ username: 'alice', password: 'opsdeck-demo' });
    const res = await request(server)
      .get('/api/local-auth/accounts')
      .set('Authorization', mockCredentials.user.header('user:default/admin'));
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: any) => a.name)).toEqual(['alice', 'bob']);
    const alice = res.body.items[0];
    expect(alice).toMatchObject({
      name: 'alice',
      locked: false,
      failedAttempts: 0,
    });
    expect(typeof alice.lastLoginAt).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/i);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'opsdeck.local-auth.account.read',
          }),
        },
      ],
      expect.anything(),
    );
  });

  it('sets passwords: creates, resets, validates length', async () => {
    const server = await start();
    const admin = mockCredentials.user.header('user:default/admin');
    const created = await request(server)
      .put('/api/local-auth/accounts/carol/password')
      .set('Authorization', admin)
      .send({ password: 'carols-new-password' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ name: 'carol', created: true });
    const reset = await request(server)
      .put('/api/local-auth/accounts/alice/password')
      .set('Authorization', admin)
      .send({ password: 'alices-new-password' });
    expect(reset.body).toEqual({ name: 'alice', created: false });
    const short = await request(server)
      .put('/api/local-auth/accounts/alice/password')
      .set('Authorization', admin)
      .send({ password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/at least 10/);
    const badName = await request(server)
      .put('/api/local-auth/accounts/bad%20name/password')
      .set('Authorization', admin)
      .send({ password: 'long-enough-password' });
    expect(badName.status).toBe(400);

    expect(
      (
        await request(server)
          .post('/api/local-auth/login')
          .send({ username: 'alice', password: 'alices-new-password' })
      ).status,
    ).toBe(200);
    const setEvents = auditEvents.filter(
      e => e.eventId === 'account-password-set',
    );
    expect(setEvents.map(e => [e.outcome, e.meta?.target])).toEqual([
      ['success', 'user:default/carol'],
      ['success', 'user:default/alice'],
      ['fail', 'user:default/alice'],
    ]);
    expect(JSON.stringify(auditEvents)).not.toMatch(/new-password|scrypt/);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'opsdeck.local-auth.account.manage',
          }),
        },
      ],
      expect.anything(),
    );
  });

  it.each([
    ['get', '/api/local-auth/accounts'],
    ['put', '/api/local-auth/accounts/alice/password'],
    ['post', '/api/local-auth/accounts/alice/unlock'],
    ['post', '/api/local-auth/me/password'],
  ] as const)(
    '%s %s is 401 unauthenticated and 403 without permission',
    async (method, path) => {
      const server = await start();
      const body =
        path === '/api/local-auth/me/password'
          ? { currentPassword: 'opsdeck-demo', newPassword: 'another-password' }
          : { password: 'another-password' };
      const anonymous = await request(server)[method](path).send(body);
      expect(anonymous.status).toBe(401);

      authorize.mockImplementation(async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
      );
      const denied = await request(server)
        [method](path)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send(body);
      expect(denied.status).toBe(403);
      // the refusal is on the audit log, before the body is looked at
      await new Promise(resolve => setImmediate(resolve));
      expect(auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'access-denied',
          outcome: 'fail',
          meta: expect.objectContaining({ target: path }),
        }),
      ]);
    },
  );

  it('lets a signed-in user change their own password', async () => {
    const server = await start();
    const alice = mockCredentials.user.header('user:default/alice');
    const wrong = await request(server)
      .post('/api/local-auth/me/password')
      .set('Authorization', alice)
      .send({ currentPassword: 'nope', newPassword: 'alices-new-password' });
    expect(wrong.status).toBe(403);
    const ok = await request(server)
      .post('/api/local-auth/me/password')
      .set('Authorization', alice)
      .send({
        currentPassword: 'opsdeck-demo',
        newPassword: 'alices-new-password',
      });
    expect(ok.status).toBe(204);
    expect(
      (
        await request(server)
          .post('/api/local-auth/login')
          .send({ username: 'alice', password: 'alices-new-password' })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(server)
          .post('/api/local-auth/login')
          .send({ username: 'alice', password: 'opsdeck-demo' })
      ).status,
    ).toBe(401);
    const selfEvents = auditEvents.filter(
      e => e.eventId === 'account-password-set',
    );
    expect(selfEvents.map(e => [e.outcome, e.meta?.actor])).toEqual([
      ['fail', 'user:default/alice'],
      ['success', 'user:default/alice'],
    ]);
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
