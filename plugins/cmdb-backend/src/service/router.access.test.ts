// The cmdb router, who may call: 401 without a session, 403 (audited) without the permission, before any validation.
// Shared setup (test backend, seeded hosts, sshd): ./__testUtils__/routerTestKit.ts.
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  cmdbHostCollectPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostKeyResetPermission,
  cmdbHostReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import request from 'supertest';
import {
  alice,
  call,
  routes,
  cmdbRouterTest,
} from './__testUtils__/routerTestKit';

jest.setTimeout(120_000);

describe('cmdb router', () => {
  const { ctx, startBackend } = cmdbRouterTest();
  let knex: Knex;
  let store: DatabaseHostStore;
  beforeEach(() => {
    ({ knex, store } = ctx);
  });

  it('rejects unauthenticated requests with 401', async () => {
    const { server, authorize } = await startBackend({ knex });
    for (const route of routes) {
      const res = await call(server, route, mockCredentials.none.header());
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
    expect(authorize).not.toHaveBeenCalled();
  });

  it('returns 403 when the permission is denied, checking the right one', async () => {
    const { server, authorize, audits } = await startBackend({
      knex,
      result: AuthorizeResult.DENY,
    });
    const expected = [
      cmdbHostReadPermission,
      cmdbHostReadPermission,
      cmdbHostReadPermission,
      cmdbHostCreatePermission,
      cmdbHostDeletePermission,
      cmdbHostCollectPermission,
      cmdbHostReadPermission,
      cmdbHostKeyResetPermission,
    ];
    for (const [i, route] of routes.entries()) {
      authorize.mockClear();
      const res = await call(server, route, alice);
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(authorize).toHaveBeenCalledWith(
        [{ permission: expected[i] }],
        expect.anything(),
      );
    }
    // every refusal is an audit event naming the route and the permission
    expect(audits).toEqual(
      routes.map(([method, path], i) => ({
        eventId: 'access-denied',
        status: 'failed',
        error: expect.stringContaining(expected[i].name),
        meta: expect.objectContaining({
          target: `/api/cmdb${path}`,
          method: method.toUpperCase(),
          permission: expected[i].name,
        }),
      })),
    );
    expect(await store.getRecord('web-01')).toBeDefined();
  });

  it('answers 403 before validating, whatever the body', async () => {
    const { server, audits } = await startBackend({
      knex,
      result: AuthorizeResult.DENY,
    });
    for (const body of ['{"hosts": "nope"', '{"hosts": [{"name": 1}]}']) {
      const res = await request(server)
        .post('/api/cmdb/hosts?unknown=1')
        .set('Authorization', alice)
        .set('Content-Type', 'application/json')
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 403 });
    }
    expect(audits.map(a => a.eventId)).toEqual([
      'access-denied',
      'access-denied',
    ]);
  });
});
