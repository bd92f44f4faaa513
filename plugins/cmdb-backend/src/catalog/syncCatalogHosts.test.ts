import { Entity } from '@backstage/catalog-model';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { hostToEntity, newHostRecord } from '../model/hosts';
import { syncCatalogHosts } from './syncCatalogHosts';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function yamlHost(name: string, spec: Record<string, unknown> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      description: `${name} host`,
      labels: { 'opsdeck.io/environment': 'prod' },
      tags: ['web'],
    },
    spec: {
      type: 'host',
      owner: 'ops',
      system: 'storefront',
      address: '198.51.100.11',
      loginUser: 'ops',
      ...spec,
    },
  };
}

describe('syncCatalogHosts', () => {
  it('mirrors catalog hosts into the index and removes the gone ones', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    const cmdbHost = newHostRecord({
      name: 'cmdb-01',
      address: '192.0.2.9',
      environment: 'dev',
      owner: 'ops',
    });
    await store.insert(cmdbHost);
    await store.replaceCatalogHosts([
      {
        ...newHostRecord({
          name: 'old-01',
          address: '192.0.2.1',
          environment: 'prod',
          owner: 'ops',
        }),
        source: 'catalog',
      },
    ]);

    const entities: Entity[] = [
      yamlHost('web-01'),
      yamlHost('web-02', { port: 2222, environment: 'staging' }),
      yamlHost('broken-01', { address: 'not valid!' }),
      {
        ...yamlHost('db-01'),
        spec: { type: 'database', owner: 'dba', address: 'db' },
      },
      hostToEntity(cmdbHost), // the CMDB's own entity is not mirrored back
    ];
    for (let i = 0; i < 5; i++) entities.push(yamlHost(`bulk-${i}`));
    const catalog = catalogServiceMock({ entities });
    const streamed = jest.spyOn(catalog, 'streamEntities');

    const result = await syncCatalogHosts({
      catalog,
      auth: mockServices.auth(),
      store,
      logger: mockServices.logger.mock(),
    });
    expect(result).toEqual({ upserted: 7, removed: 1, skipped: 1 });
    expect(streamed).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { kind: 'resource', 'spec.type': 'host' },
        pageSize: 500,
      }),
      expect.anything(),
    );

    const all = (await store.list({ limit: 500 })).items;
    expect(all.map(h => `${h.name}:${h.source}`)).toEqual([
      'bulk-0:catalog',
      'bulk-1:catalog',
      'bulk-2:catalog',
      'bulk-3:catalog',
      'bulk-4:catalog',
      'cmdb-01:cmdb',
      'web-01:catalog',
      'web-02:catalog',
    ]);
    expect(await store.get('web-02')).toMatchObject({
      entityRef: 'resource:default/web-02',
      address: '198.51.100.11',
      port: 2222,
      loginUser: 'ops',
      environment: 'staging',
      owner: 'ops',
      system: 'storefront',
      tags: ['web'],
      description: 'web-02 host',
    });
  });
});
