/**
 * The catalog with the opsdeck policy: a user without opsdeck.cmdb.host.read
 * (victor, no role) reads no host or database through the catalog API, so
 * never their address, port, login user or credential name; a viewer does.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import catalogBackend from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OpsdeckPermissionPolicy } from './policy';
import {
  demoRolesConfig,
  demoUserInfo,
  demoUserInfoService,
} from './testUtils';

/**
 * The permissions service the catalog uses, asking the opsdeck policy as
 * the permission backend would (services are trusted). Backstage's mock auth
 * drops the on-behalf-of actor of plugin tokens, which the permission
 * backend needs for conditional queries, so the policy is asked in-process.
 */
function policyPermissions() {
  const policy = OpsdeckPermissionPolicy.fromConfig(
    new ConfigReader({ opsdeck: { roles: demoRolesConfig } }),
    { userInfo: demoUserInfoService },
  );
  const decide = async (permission: any, credentials: any) => {
    if (credentials.principal.type === 'service') {
      return { result: AuthorizeResult.ALLOW };
    }
    return policy.handle(
      { permission },
      { credentials, info: await demoUserInfo(credentials) },
    );
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () =>
      ({
        authorizeConditional: (requests: any[], { credentials }: any) =>
          Promise.all(requests.map(r => decide(r.permission, credentials))),
        authorize: (requests: any[], { credentials }: any) =>
          Promise.all(
            requests.map(async r => {
              const decision = await decide(r.permission, credentials);
              if (decision.result === AuthorizeResult.CONDITIONAL) {
                throw new Error(
                  `unexpected conditional authorize of ${r.permission.name}`,
                );
              }
              return decision;
            }),
          ),
      } as any),
  });
}

jest.setTimeout(180_000);

const ENTITIES = `
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: { name: pay-app-01 }
spec: { type: host, owner: ops, address: 10.0.0.21, port: 22, loginUser: deploy, credential: ops-ssh }
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: { name: pay-db-main }
spec: { type: database, owner: dba, address: 10.0.0.31, port: 5432, credential: pay-db-admin }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: payments-api }
spec: { type: service, owner: dev, lifecycle: production }
`;

describe('catalog entities with connection fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-catalog-'));
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    writeFileSync(join(dir, 'entities.yaml'), ENTITIES);
    backend = await startTestBackend({
      features: [
        catalogBackend,
        policyPermissions(),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Component', 'Resource', 'Location'] }],
              locations: [{ type: 'file', target: join(dir, 'entities.yaml') }],
            },
          },
        }),
      ],
    });
    // wait until the catalog has processed the three entities
    const admin = mockCredentials.user.header('user:default/alice');
    let last: any;
    for (let i = 0; i < 120; i++) {
      const res = await request(backend.server)
        .get(
          '/api/catalog/entities/by-query?filter=kind=resource,kind=component',
        )
        .set('Authorization', admin);
      last = { status: res.status, body: res.body };
      if (res.body.items?.length === 3) return;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    throw new Error(
      `the catalog did not process the test entities: ${JSON.stringify(last)}`,
    );
  });

  afterAll(async () => {
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function asUser(user: string, path: string) {
    return request(backend.server)
      .get(path)
      .set(
        'Authorization',
        mockCredentials.user.header(`user:default/${user}`),
      );
  }

  it('lists no host or database to victor, and all of them to a viewer', async () => {
    const names = async (user: string) =>
      (
        await asUser(
          user,
          '/api/catalog/entities/by-query?filter=kind=resource,kind=component',
        )
      ).body.items
        .map((e: any) => e.metadata.name)
        .sort();
    expect(await names('victor')).toEqual(['payments-api']);
    expect(await names('erin')).toEqual([
      'pay-app-01',
      'pay-db-main',
      'payments-api',
    ]);
  });

  it('gives victor no address through any catalog read', async () => {
    const reads = [
      '/api/catalog/entities',
      '/api/catalog/entities?fields=spec.address,metadata.name',
      '/api/catalog/entities/by-name/resource/default/pay-app-01',
      '/api/catalog/entity-facets?facet=spec.address',
      '/api/catalog/entity-facets?facet=spec.credential',
    ];
    for (const path of reads) {
      const res = await asUser('victor', path);
      expect({
        path,
        leak: /10\.0\.0\.|ops-ssh|pay-db-admin|deploy/.test(res.text),
      }).toEqual({ path, leak: false });
    }
    expect(
      (
        await asUser(
          'victor',
          '/api/catalog/entities/by-name/resource/default/pay-app-01',
        )
      ).status,
    ).toBe(404);
    const byRefs = await request(backend.server)
      .post('/api/catalog/entities/by-refs')
      .set('Authorization', mockCredentials.user.header('user:default/victor'))
      .send({
        entityRefs: [
          'resource:default/pay-app-01',
          'component:default/payments-api',
        ],
      });
    expect(byRefs.body.items.map((e: any) => e?.metadata.name ?? null)).toEqual(
      [null, 'payments-api'],
    );
    // the viewer sees the host's address
    const erin = await asUser(
      'erin',
      '/api/catalog/entities/by-name/resource/default/pay-app-01',
    );
    expect(erin.body.spec.address).toBe('10.0.0.21');
  });
});
