import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { LunrSearchEngine } from '@backstage/plugin-search-backend-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { cmdbHostReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { cmdbHubServiceRef } from '@opsdeck/plugin-cmdb-node';
import { CmdbHub } from '../catalog/cmdbHub';
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
      location: '/catalog/default/resource/pay-db-01#host-facts',
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

describe('host documents in the Lunr search engine (search on SQLite)', () => {
  /** Indexes documents of one type the way the search backend does. */
  async function index(engine: LunrSearchEngine, type: string, docs: Readable) {
    await pipeline(docs, await engine.getIndexer(type));
  }

  it('keeps the catalog document of the same entity apart from the host document', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(
      newHostRecord({
        name: 'web-02',
        address: '127.0.0.1',
        environment: 'staging',
        owner: 'ops',
        tags: [],
      }),
    );
    await store.recordFacts('web-02', {
      reachable: true,
      facts: { os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64' },
    });
    const engine = new LunrSearchEngine({ logger: mockServices.logger.mock() });
    // what the catalog collator indexes for the same entity (its page)
    await index(
      engine,
      'software-catalog',
      Readable.from([
        {
          title: 'web-02',
          text: 'staging host in storefront',
          location: '/catalog/default/resource/web-02',
          kind: 'Resource',
        },
      ]),
    );
    await index(
      engine,
      HOST_DOCUMENT_TYPE,
      await new HostCollatorFactory(async () => store).getCollator(),
    );

    const { results } = await engine.query({ term: 'web-02' });
    const byType = Object.fromEntries(
      results.map(r => [r.type, r.document as any]),
    );
    expect(Object.keys(byType).sort()).toEqual([
      HOST_DOCUMENT_TYPE,
      'software-catalog',
    ]);
    // the catalog result (visible to everyone) carries no host facts
    expect(byType['software-catalog']).toEqual({
      title: 'web-02',
      text: 'staging host in storefront',
      location: '/catalog/default/resource/web-02',
      kind: 'Resource',
    });
    expect(byType[HOST_DOCUMENT_TYPE]).toMatchObject({
      title: 'web-02',
      kernel: '6.1.0-18-amd64',
      location: '/catalog/default/resource/web-02#host-facts',
    });
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
    // the cmdb plugin of the same backend publishes its store on the hub
    const hub = new CmdbHub();
    hub.setStore(store);
    await startTestBackend({
      extensionPoints: [
        [searchIndexRegistryExtensionPoint, { addCollator, addDecorator() {} }],
      ],
      features: [
        searchModuleOpsdeckHosts,
        createServiceFactory({
          service: cmdbHubServiceRef,
          deps: {},
          factory: () => hub,
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
