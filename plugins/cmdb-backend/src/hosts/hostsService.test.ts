import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { hostsServiceRef, type HostsService } from '@opsdeck/plugin-cmdb-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import request from 'supertest';
import { cmdbHubServiceFactory } from '../catalog/cmdbHub';
import { cmdbPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * cmdb-node's host service as another plugin gets it (its default factory,
 * no wiring) against the CMDB plugin, with a catalog that has ingested
 * nothing: a host registered a moment ago is resolved at once, for the
 * caller, as the catalog's read decision lets them see it.
 */
describe('hostsServiceRef against the CMDB plugin', () => {
  it('resolves a host registered a moment ago, before the catalog has it', async () => {
    const knex = await databases.init('SQLITE_3');
    // victor may not read catalog entities at all
    const decide = async (
      requests: unknown[],
      { credentials }: { credentials: any },
    ): Promise<PolicyDecision[]> =>
      requests.map(() => ({
        result:
          credentials.principal.userEntityRef === 'user:default/victor'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }));
    let hosts: HostsService | undefined;
    const getEntities = jest.fn();
    const catalog = catalogServiceMock({ entities: [] });
    const backend = await startTestBackend({
      features: [
        cmdbPlugin,
        cmdbHubServiceFactory,
        mockServices.database.factory({ knex }),
        mockServices.permissions.mock({
          authorize: decide as any,
          authorizeConditional: decide as any,
        }).factory,
        mockServices.rootConfig.factory({
          data: { opsdeck: { cmdb: { facts: { initialDelaySeconds: 3600 } } } },
        }),
        createServiceFactory({
          service: catalogServiceMock.factory().service,
          deps: {},
          factory: () => ({
            ...catalog,
            getEntities: (...args: any[]) => {
              getEntities(...args);
              return (catalog.getEntities as any)(...args);
            },
          }),
        }),
        createServiceFactory({
          service: vaultServiceRef,
          deps: {},
          factory: () => ({
            getSecret: async () => {
              throw new Error('no secrets here');
            },
          }),
        }),
        createBackendPlugin({
          pluginId: 'consumer',
          register(env) {
            env.registerInit({
              deps: { hosts: hostsServiceRef },
              async init(deps) {
                hosts = deps.hosts;
              },
            });
          },
        }),
      ],
    });
    try {
      const registered = await request(backend.server)
        .post('/api/cmdb/hosts')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({
          hosts: [
            {
              name: 'fresh-01',
              address: '192.0.2.10',
              environment: 'prod',
              owner: 'user:default/alice',
              tags: ['fresh'],
            },
          ],
        });
      expect(registered.body.results[0].status).toBe('created');
      getEntities.mockClear();

      const alice = mockCredentials.user('user:default/alice');
      expect(
        await hosts!.resolveHosts({ tags: ['fresh'] }, { credentials: alice }),
      ).toEqual([
        {
          name: 'fresh-01',
          entityRef: 'resource:default/fresh-01',
          address: '192.0.2.10',
          port: 22,
          owner: 'user:default/alice',
          environment: 'prod',
          tags: ['fresh'],
        },
      ]);
      expect(
        (await hosts!.getHost('fresh-01', { credentials: alice }))?.address,
      ).toBe('192.0.2.10');
      // a service resolves as the calling plugin
      expect(
        await hosts!.resolveHosts(
          { names: ['fresh-01'] },
          { credentials: mockCredentials.service('plugin:ci') },
        ),
      ).toHaveLength(1);
      // the catalog's decision for the person: victor sees nothing
      expect(
        await hosts!.resolveHosts(
          { tags: ['fresh'] },
          { credentials: mockCredentials.user('user:default/victor') },
        ),
      ).toEqual([]);
      expect(getEntities).not.toHaveBeenCalled();
      await expect(
        hosts!.resolveHosts({}, { credentials: alice }),
      ).rejects.toThrow(/at least one of/);

      // the route the selector field's preview uses
      const preview = await request(backend.server)
        .post('/api/cmdb/hosts/resolve')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({ selector: { environment: 'prod' }, limit: 0 });
      expect(preview.status).toBe(200);
      expect(preview.body).toEqual({ items: [], total: 1 });
      const refused = await request(backend.server)
        .post('/api/cmdb/hosts/resolve')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({ selector: { names: 'fresh-01' } });
      expect(refused.status).toBe(400);
    } finally {
      await backend.stop();
    }
  });
});
