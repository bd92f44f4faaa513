import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  EntityProviderConnection,
  EntityProviderMutation,
  EntityProviderRefreshOptions,
} from '@backstage/plugin-catalog-node';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { HostRecord } from '../database/HostStore';
import { newHostRecord } from '../model/hosts';
import { CmdbEntityProvider } from './CmdbEntityProvider';
import { CmdbHub } from './cmdbHub';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function host(name: string): HostRecord {
  return newHostRecord({
    name,
    address: `${name}.example.com`,
    environment: 'prod',
    owner: 'ops',
    system: 'payments',
    tags: ['web'],
    credential: 'ops-ssh',
  });
}

async function setup() {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseHostStore.create({
    database: mockServices.database({ knex }),
  });
  const hub = new CmdbHub();
  const provider = new CmdbEntityProvider(hub, mockServices.logger.mock());
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(async (_mutation: EntityProviderMutation) => {}),
    refresh: jest.fn(async (_options: EntityProviderRefreshOptions) => {}),
  };
  return { store, hub, provider, connection };
}

describe('CmdbEntityProvider', () => {
  it('emits a full mutation of the CMDB hosts once the store is there', async () => {
    const { store, hub, provider, connection } = await setup();
    await store.insert(host('app-01'));
    await store.insert({ ...host('yaml-01'), source: 'catalog' });

    await provider.connect(connection);
    expect(connection.applyMutation).not.toHaveBeenCalled(); // no store yet
    hub.setStore(store);
    await new Promise(r => setImmediate(r));
    await provider.idle();

    expect(provider.getProviderName()).toBe('opsdeck-cmdb');
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: 'opsdeck-cmdb',
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: 'app-01',
              namespace: 'default',
              title: 'app-01',
              labels: { 'opsdeck.io/environment': 'prod' },
              annotations: {
                'backstage.io/managed-by-location': 'opsdeck-cmdb:app-01',
                'backstage.io/managed-by-origin-location':
                  'opsdeck-cmdb:app-01',
              },
              tags: ['web'],
            },
            spec: {
              type: 'host',
              owner: 'ops',
              system: 'payments',
              address: 'app-01.example.com',
              port: 22,
              credential: 'ops-ssh',
              environment: 'prod',
            },
          },
        },
      ],
    });
  });

  it('turns register and decommission into delta mutations', async () => {
    const { store, hub, provider, connection } = await setup();
    hub.setStore(store);
    await provider.connect(connection);
    await provider.idle();
    connection.applyMutation.mockClear();

    hub.publish({ type: 'added', hosts: [host('app-02'), host('app-03')] });
    await provider.idle();
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const added = connection.applyMutation.mock.calls[0][0];
    expect(added.type).toBe('delta');
    if (added.type !== 'delta') throw new Error('not a delta');
    expect(added.removed).toEqual([]);
    expect(added.added.map(d => d.entity.metadata.name)).toEqual([
      'app-02',
      'app-03',
    ]);

    hub.publish({ type: 'removed', hosts: [host('app-02')] });
    // catalog hosts are never provided
    hub.publish({
      type: 'added',
      hosts: [{ ...host('yaml-02'), source: 'catalog' }],
    });
    await provider.idle();
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    const removed = connection.applyMutation.mock.calls[1][0];
    if (removed.type !== 'delta') throw new Error('not a delta');
    expect(removed.added).toEqual([]);
    expect(removed.removed).toEqual([
      expect.objectContaining({
        locationKey: 'opsdeck-cmdb',
        entity: expect.objectContaining({
          kind: 'Resource',
          metadata: expect.objectContaining({ name: 'app-02' }),
        }),
      }),
    ]);
  });
});
