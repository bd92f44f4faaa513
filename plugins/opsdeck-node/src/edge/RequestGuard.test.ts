import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import request from 'supertest';
import { audited } from './audited';
import {
  createTestApp,
  readPermission,
  runPermission,
  writePermission,
} from './__testUtils__/testApp';

const viewer = mockCredentials.user.header('user:default/erin');
const ops = mockCredentials.user.header('user:default/bob');
const service = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:scaffolder'),
  targetPluginId: 'test',
});

/** erin reads; bob reads and writes; bob may run on some things (conditional). */
function decide(permission: Permission, who: string): AuthorizeResult {
  if (permission.name === readPermission.name) return AuthorizeResult.ALLOW;
  if (who === 'user:default/bob' || who === 'plugin:scaffolder') {
    return permission.name === runPermission.name
      ? AuthorizeResult.CONDITIONAL
      : AuthorizeResult.ALLOW;
  }
  return AuthorizeResult.DENY;
}

/** The audit events once the response hooks have run. */
async function settled<T>(value: T): Promise<T> {
  await new Promise(resolve => setImmediate(resolve));
  return value;
}

describe('createRequestGuard', () => {
  it('answers 403 before the body is parsed or validated, and audits it', async () => {
    const { app, events } = createTestApp({ decide });
    for (const body of [
      '{"name": 1, "extra": true}',
      'not json at all {',
      '{"name": "ok"}',
    ]) {
      const res = await request(app)
        .post('/api/test/things')
        .set('Authorization', viewer)
        .set('Content-Type', 'application/json')
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 403 });
      expect(res.body.error).toEqual({
        name: 'NotAllowedError',
        message:
          'You are not allowed to do this (missing permission test.thing.write)',
        code: 'not-allowed',
        permission: 'test.thing.write',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/stack|\/src\//);
    }
    expect(await settled(events)).toEqual(
      [0, 1, 2].map(() => ({
        eventId: 'access-denied',
        status: 'failed',
        error:
          'You are not allowed to do this (missing permission test.thing.write)',
        request: true,
        meta: {
          target: '/api/test/things',
          method: 'POST',
          operation: 'POST /things',
          permission: 'test.thing.write',
        },
      })),
    );
  });

  it('validates the body once the permission is granted', async () => {
    const { app, events } = createTestApp({ decide });
    const bad = await request(app)
      .post('/api/test/things')
      .set('Authorization', ops)
      .send({ name: 1 });
    expect(bad.status).toBe(400);
    const good = await request(app)
      .post('/api/test/things')
      .set('Authorization', ops)
      .send({ name: 'x' });
    expect(good.status).toBe(201);
    expect(await settled(events)).toEqual([]);
  });

  it('answers 401 without credentials and does not audit it', async () => {
    const { app, events, calls } = createTestApp({ decide });
    const res = await request(app).post('/api/test/things').send({ name: 1 });
    expect(res.status).toBe(401);
    expect(res.body.error.name).toBe('AuthenticationError');
    expect(calls).toEqual([]);
    expect(await settled(events)).toEqual([]);
  });

  it('refuses principal types the operation does not accept', async () => {
    const { app, events } = createTestApp({ decide });
    const res = await request(app)
      .post('/api/test/things')
      .set('Authorization', service)
      .send({ name: 'x' });
    expect(res.status).toBe(403);
    expect(await settled(events)).toEqual([
      expect.objectContaining({
        eventId: 'access-denied',
        meta: expect.objectContaining({ operation: 'POST /things' }),
      }),
    ]);
  });

  it('lets public and authenticate-only operations through as declared', async () => {
    const { app, calls } = createTestApp({ decide });
    expect((await request(app).post('/api/test/sign-in')).status).toBe(200);
    expect((await request(app).get('/api/test/mine')).status).toBe(401);
    expect(
      (await request(app).get('/api/test/mine').set('Authorization', viewer))
        .status,
    ).toBe(200);
    expect(
      (await request(app).get('/api/test/mine').set('Authorization', service))
        .status,
    ).toBe(403);
    expect(calls).toEqual([]);
  });

  it('matches the most specific path and checks HEAD as GET', async () => {
    const { app, calls } = createTestApp({ decide });
    await request(app)
      .get('/api/test/things/export.csv')
      .set('Authorization', viewer);
    await request(app).head('/api/test/things/a').set('Authorization', viewer);
    expect(calls).toEqual([readPermission.name, readPermission.name]);
  });

  it('pre-checks a resource permission: a definite DENY is 403, conditions go on to the handler', async () => {
    const { app, events } = createTestApp({
      decide,
      routes(router, guard) {
        router.post('/things/:name/run', async (req, res) => {
          // the per-resource check the handler does
          await guard.authorize(req, runPermission, {
            resourceRef: `resource:default/${req.params.name}`,
            what: `run ${req.params.name}`,
          });
          res.json({ ran: req.params.name });
        });
      },
    });
    const viewerRun = await request(app)
      .post('/api/test/things/web-01/run')
      .set('Authorization', viewer);
    expect(viewerRun.status).toBe(403);
    // bob's decision is conditional: the edge lets him through, the handler
    // asks about the resource (CONDITIONAL from authorize is not ALLOW)
    const opsRun = await request(app)
      .post('/api/test/things/web-01/run')
      .set('Authorization', ops);
    expect(opsRun.status).toBe(403);
    expect(opsRun.body.error.message).toBe('You are not allowed to run web-01');
    const denied = await settled(events);
    expect(denied.map(e => [e.eventId, e.error, e.meta.permission])).toEqual([
      [
        'access-denied',
        'You are not allowed to do this (missing permission test.thing.run)',
        'test.thing.run',
      ],
      ['access-denied', 'You are not allowed to run web-01', 'test.thing.run'],
    ]);
  });

  it('audits a 403 thrown by a handler once, also when audited() recorded it', async () => {
    const { app, events, auditor } = createTestApp({
      decide,
      routes(router) {
        router.post('/things/:name/run', async req => {
          if (req.params.name === 'plain') {
            throw new NotAllowedError('not yours');
          }
          await audited(
            auditor,
            {
              eventId: 'thing-run',
              request: req,
              target: `thing:${req.params.name}`,
            },
            async () => {
              throw new NotAllowedError('not yours either');
            },
          );
        });
      },
    });
    expect(
      (
        await request(app)
          .post('/api/test/things/plain/run')
          .set('Authorization', ops)
      ).status,
    ).toBe(403);
    expect(
      (
        await request(app)
          .post('/api/test/things/wrapped/run')
          .set('Authorization', ops)
      ).status,
    ).toBe(403);
    expect(
      (await settled(events)).map(e => [e.eventId, e.status, e.error]),
    ).toEqual([
      ['access-denied', 'failed', 'not yours'],
      ['thing-run', 'failed', 'not yours either'],
    ]);
  });

  it('answers 503, not 400, when the permission check itself fails', async () => {
    const { app } = createTestApp({
      decide: () => {
        throw new Error('permission backend down at /srv/opsdeck/x.ts');
      },
    });
    const res = await request(app)
      .post('/api/test/things')
      .set('Authorization', ops)
      .send('{');
    expect(res.status).toBe(503);
    expect(res.body.error.name).toBe('ServiceUnavailableError');
    expect(JSON.stringify(res.body)).not.toContain('/srv/opsdeck');
  });

  it('gives handlers the checked credentials and permission answers', async () => {
    const { app } = createTestApp({
      decide,
      routes(router, guard) {
        router.post('/things/:name/run', async (req, res) => {
          const credentials = await guard.credentials(req);
          res.json({
            write: await guard.allowed(credentials, writePermission),
            principal: credentials.principal.type,
          });
        });
      },
    });
    const res = await request(app)
      .post('/api/test/things/x/run')
      .set('Authorization', ops);
    expect(res.body).toEqual({ write: true, principal: 'user' });
  });
});
