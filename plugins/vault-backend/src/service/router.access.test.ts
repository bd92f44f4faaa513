// The vault router, who may call: 401 without a session, 403 without the permission, read-only readers.
// Shared setup (secrets, test backend, leak check): ./__testUtils__/routerTestKit.ts.
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import request from 'supertest';
import { alice, vaultRouterTest } from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

describe('vault router', () => {
  const { ctx, start, routes, seed } = vaultRouterTest();
  let knex: Knex;
  beforeEach(() => {
    ({ knex } = ctx);
  });

  it('rejects unauthenticated requests with 401', async () => {
    await seed();
    const { server, authorize, call } = await start();
    for (const route of routes()) {
      const res = await call(
        (request(server) as any)
          [route.method](`/api/vault${route.path}`)
          .set('Authorization', mockCredentials.none.header())
          .send(route.body),
      );
      expect({ ...route, status: res.status }).toEqual({
        ...route,
        status: 401,
      });
    }
    expect(authorize).not.toHaveBeenCalled();
    expect(await knex('vault_credentials').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });

  it('returns 403 without the permission, and checks the right one', async () => {
    await seed();
    const { server, authorize, call } = await start({
      decide: () => AuthorizeResult.DENY,
    });
    for (const route of routes()) {
      authorize.mockClear();
      const res = await call(
        (request(server) as any)
          [route.method](`/api/vault${route.path}`)
          .set('Authorization', alice)
          .send(route.body),
      );
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(res.body.error.message).toBe(
        route.manage
          ? 'Only admins can manage credentials'
          : 'You are not allowed to read the credentials vault',
      );
      expect(authorize).toHaveBeenCalledWith(
        [
          {
            permission: route.manage
              ? vaultCredentialManagePermission
              : vaultCredentialReadPermission,
          },
        ],
        expect.anything(),
      );
    }
    const rows = await knex('vault_credentials').select('name', 'description');
    expect(rows).toEqual([{ name: 'web-prod', description: '' }]);
  });

  it('lets readers list but not change', async () => {
    await seed();
    const { server, call } = await start({
      decide: name =>
        name === vaultCredentialReadPermission.name
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    });
    const list = await call(
      request(server).get('/api/vault/credentials').set('Authorization', alice),
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual([
      'web-prod',
    ]);
    const del = await call(
      request(server)
        .delete('/api/vault/credentials/web-prod')
        .set('Authorization', alice),
    );
    expect(del.status).toBe(403);
  });
});
