import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import request from 'supertest';
import permissionModuleOpsdeckPolicy from './index';
import { demoRolesConfig, demoUserInfo } from './testUtils';

const auditRead = {
  type: 'basic',
  name: 'opsdeck.audit.event.read',
  attributes: { action: 'read' },
};
const accountManage = {
  type: 'basic',
  name: 'opsdeck.local-auth.account.manage',
  attributes: { action: 'update' },
};
const catalogRead = {
  type: 'resource',
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
};
const catalogDelete = {
  type: 'resource',
  name: 'catalog.entity.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
};

const items = [auditRead, accountManage, catalogRead, catalogDelete].map(
  (permission, i) => ({
    id: String(i),
    permission,
    ...(permission.type === 'resource'
      ? { resourceRef: 'component:default/example' }
      : {}),
  }),
);

function startBackend(
  opsdeck: Record<string, any>,
  extraConfig: Record<string, any> = {},
) {
  return startTestBackend({
    features: [
      permissionBackend,
      permissionModuleOpsdeckPolicy,
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true }, opsdeck, ...extraConfig },
      }),
      mockServices.userInfo.mock({ getUserInfo: demoUserInfo }).factory,
    ],
  });
}

describe('permission backend with the opsdeck-policy module', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  async function post(authorization: string) {
    return request(backend!.server)
      .post('/api/permission/authorize')
      .set('Authorization', authorization)
      .send({ items });
  }

  async function authorize(authorization: string) {
    const res = await post(authorization);
    expect(res.status).toBe(200);
    return res.body.items.map((i: { id: string; result: string }) => [
      items[Number(i.id)].permission.name,
      i.result,
    ]);
  }

  it('decides /api/permission/authorize with the opsdeck policy', async () => {
    backend = await startBackend({
      roles: demoRolesConfig,
      permissionGrants: { 'catalog.entity.delete': ['dba'] },
    });

    expect(
      await authorize(mockCredentials.user.header('user:default/alice')),
    ).toEqual([
      ['opsdeck.audit.event.read', 'ALLOW'],
      ['opsdeck.local-auth.account.manage', 'ALLOW'],
      ['catalog.entity.read', 'ALLOW'],
      ['catalog.entity.delete', 'ALLOW'],
    ]);
    expect(
      await authorize(mockCredentials.user.header('user:default/erin')),
    ).toEqual([
      ['opsdeck.audit.event.read', 'ALLOW'],
      ['opsdeck.local-auth.account.manage', 'DENY'],
      ['catalog.entity.read', 'ALLOW'],
      ['catalog.entity.delete', 'DENY'],
    ]);
    // config override in effect: dba may delete entities, ops no longer
    expect(
      await authorize(mockCredentials.user.header('user:default/carol')),
    ).toEqual([
      ['opsdeck.audit.event.read', 'DENY'],
      ['opsdeck.local-auth.account.manage', 'DENY'],
      ['catalog.entity.read', 'ALLOW'],
      ['catalog.entity.delete', 'ALLOW'],
    ]);
    expect(
      await authorize(mockCredentials.user.header('user:default/bob')),
    ).toEqual([
      ['opsdeck.audit.event.read', 'ALLOW'],
      ['opsdeck.local-auth.account.manage', 'DENY'],
      ['catalog.entity.read', 'ALLOW'],
      ['catalog.entity.delete', 'DENY'],
    ]);
    // mallory has no role; her catalog reads are conditional (no hosts or
    // databases), which the catalog applies: see catalogConditions.test.ts
    const mallory = await request(backend!.server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.user.header('user:default/mallory'))
      .send({ items: items.filter(i => i.permission !== catalogRead) });
    expect(mallory.body.items.map((i: { result: string }) => i.result)).toEqual(
      ['DENY', 'DENY', 'DENY'],
    );
  });

  it('rejects unauthenticated callers before the policy by default', async () => {
    backend = await startBackend({ roles: demoRolesConfig });
    expect((await post(mockCredentials.none.header())).status).toBe(401);
  });

  it('denies unauthenticated callers when the default auth policy is off', async () => {
    // The only way a query reaches the policy without a user: service calls
    // are decided by the permissions service itself and never get here.
    backend = await startBackend(
      { roles: demoRolesConfig },
      { backend: { auth: { dangerouslyDisableDefaultAuthPolicy: true } } },
    );
    expect(await authorize(mockCredentials.none.header())).toEqual([
      ['opsdeck.audit.event.read', 'DENY'],
      ['opsdeck.local-auth.account.manage', 'DENY'],
      ['catalog.entity.read', 'DENY'],
      ['catalog.entity.delete', 'DENY'],
    ]);
  });

  it('leaves service-to-service calls to the permissions service (ALLOW, policy not asked)', async () => {
    const results: AuthorizeResult[] = [];
    const callerPlugin = createBackendPlugin({
      pluginId: 'caller',
      register(reg) {
        reg.registerInit({
          deps: { permissions: coreServices.permissions },
          async init({ permissions }) {
            const decisions = await permissions.authorize(
              [
                {
                  permission: createPermission({
                    name: 'opsdeck.local-auth.account.manage',
                    attributes: { action: 'update' },
                  }),
                },
              ],
              { credentials: mockCredentials.service('plugin:audit') },
            );
            results.push(...decisions.map(d => d.result));
          },
        });
      },
    });
    backend = await startTestBackend({
      features: [
        permissionBackend,
        permissionModuleOpsdeckPolicy,
        callerPlugin,
        mockServices.rootConfig.factory({
          data: { permission: { enabled: true }, opsdeck: {} },
        }),
      ],
    });
    // The policy would DENY a query without a user, so ALLOW shows it was
    // never asked.
    expect(results).toEqual([AuthorizeResult.ALLOW]);
  });

  it('fails startup on an unknown role name', async () => {
    await expect(
      startBackend({ roles: { superuser: ['group:default/admins'] } }),
    ).rejects.toThrow(/opsdeck\.roles has unknown role 'superuser'/);
  });
});
