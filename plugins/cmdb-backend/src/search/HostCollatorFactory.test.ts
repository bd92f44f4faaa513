import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { cmdbHostReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { getCmdbHub } from '../catalog/cmdbHub';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import {
  HOST_DOCUMENT_TYPE,
  HostCollatorFactory,
  type HostDocument,
} from './HostCollatorFactory';
import { searchModuleOpsdeckHosts } from './module';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function collect(factory: HostCollatorFactory): Promise<HostDocument[]> {
  const docs: HostDocument[] = [];
  for await (const doc of await factory.getCollator()) docs.push(doc);
  return docs;
}

describe.each(databases.eachSupportedId())('HostCollatorFactory (%s)', id => {
  async function seededStore() {
    const knex = await databases.init(id);
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(
      newHostRecord({
        name: 'pay-db-01',
        address: 'pay-db-01.example.com',
        environment: 'prod',
        owner: 'dba',
        system: 'payments',
        tags: ['postgres'],
      }),
    );
    await store.recordFacts('pay-db-01', {
      reachable: true,
      facts: {
        os: 'Debian GNU/Linux 12 (bookworm)',
        kernel: '6.1.0-18-amd64',
        ips: ['127.0.0.1', '::1'],
        uptimeSeconds: 42,
      },
    });
    await store.insert(
      newHostRecord({
        name: 'old-app-01',
        address: 'old-app-01.example.com',
        environment: 'staging',
        owner: 'ops',
        tags: [],
      }),
    );
    await store.recordFacts('old-app-01', {
      reachable: false,
      error: 'connect ECONNREFUSED',
    });
    await store.insert(
      newHostRecord({
        name: 'new-01',
        address: 'new-01.example.com',
        environment: 'dev',
        owner: 'dev',
        tags: ['fresh'],
      }),
    );
    return store;
  }

  it('indexes every host with its facts, readable only with the host read permission', async () => {
    const store = await seededStore();
    const factory = new HostCollatorFactory(async () => store);
    expect(factory.type).toBe(HOST_DOCUMENT_TYPE);
    expect(factory.visibilityPermission).toBe(cmdbHostReadPermission);

    const docs = await collect(factory);
    expect(docs.map(d => d.title)).toEqual([
      'new-01',
      'old-app-01',
      'pay-db-01',
    ]);
    const db = docs[2];
    expect(db).toMatchObject({
      title: 'pay-db-01',
      location: '/catalog/default/resource/pay-db-01',
      entityRef: 'resource:default/pay-db-01',
      address: 'pay-db-01.example.com',
      environment: 'prod',
      owner: 'dba',
      system: 'payments',
      tags: ['postgres'],
      reachability: 'reachable',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      ips: ['127.0.0.1', '::1'],
    });
    for (const word of [
      'bookworm',
      '6.1.0-18-amd64',
      '127.0.0.1',
      'reachable',
    ]) {
      expect(db.text).toContain(word);
    }
    expect(docs[1]).toMatchObject({ reachability: 'unreachable', ips: [] });
    expect(docs[1].text).toContain('ECONNREFUSED');
    expect(docs[0]).toMatchObject({ reachability: 'unknown' });
    expect(docs[0].os).toBeUndefined();
  });

  it('pages through more hosts than one store page', async () => {
    const store = await seededStore();
    for (let i = 0; i < 1200; i++) {
      await store.insert(
        newHostRecord({
          name: `bulk-${String(i).padStart(4, '0')}`,
          address: `bulk-${i}.example.com`,
          environment: 'test',
          owner: 'ops',
          tags: [],
        }),
      );
    }
    const docs = await collect(new HostCollatorFactory(async () => store));
    expect(docs).toHaveLength(1203);
    expect(new Set(docs.map(d => d.name)).size).toBe(1203);
  });
});

describe('searchModuleOpsdeckHosts', () => {
  it('registers the collator on the search plugin, reading the cmdb store', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(
      newHostRecord({
        name: 'web-01',
        address: 'web-01.example.com',
        environment: 'prod',
        owner: 'ops',
        tags: [],
      }),
    );
    const addCollator = jest.fn();
    const rootConfig = mockServices.rootConfig();
    // the cmdb plugin of the same backend publishes its store on the hub
    getCmdbHub(rootConfig).setStore(store);
    await startTestBackend({
      extensionPoints: [
        [searchIndexRegistryExtensionPoint, { addCollator, addDecorator() {} }],
      ],
      features: [
        searchModuleOpsdeckHosts,
        createServiceFactory({
          service: coreServices.rootConfig,
          deps: {},
          factory: () => rootConfig,
        }),
      ],
    });
    expect(addCollator).toHaveBeenCalledTimes(1);
    const { factory, schedule } = addCollator.mock.calls[0][0];
    expect(schedule).toBeDefined();
    const docs = await collect(factory);
    expect(docs.map(d => d.entityRef)).toEqual(['resource:default/web-01']);
  });
});
