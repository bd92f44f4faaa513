import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { newHostRecord } from '../model/hosts';
import { DatabaseHostStore } from './DatabaseHostStore';
import { HostRecord } from './HostStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

function host(name: string, overrides: Partial<HostRecord> = {}): HostRecord {
  return {
    ...newHostRecord({
      name,
      address: `192.0.2.${name.length}`,
      environment: 'prod',
      owner: 'ops',
      tags: [],
    }),
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseHostStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    let now = 1_000_000;
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    const timed = new DatabaseHostStore(knex, () => now);
    return {
      knex,
      store,
      timed,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  async function seed(store: DatabaseHostStore) {
    await store.insert(
      host('web-01', {
        environment: 'prod',
        owner: 'ops',
        system: 'storefront',
        tags: ['nginx', 'web'],
        loginUser: 'ops',
        credential: 'ops-ssh',
        description: 'front',
      }),
    );
    await store.insert(
      host('web-02', {
        environment: 'staging',
        system: 'storefront',
        tags: ['nginx'],
      }),
    );
    await store.insert(
      host('pay-app-01', {
        environment: 'prod',
        owner: 'dev',
        system: 'payments',
        tags: ['java', 'app'],
      }),
    );
    await store.insert(
      host('build_01', {
        environment: 'dev',
        tags: ['ci'],
        source: 'catalog',
        entityRef: 'resource:infra/build_01',
      }),
    );
    await store.recordFacts('web-01', {
      reachable: true,
      facts: { os: 'Debian 12', uptimeSeconds: 42.7, kernel: '6.1' },
    });
    await store.recordFacts('web-02', { reachable: false, error: 'refused' });
  }

  it('stores hosts and facts and reads them back', async () => {
    const { store } = await createStore();
    await seed(store);
    const at = new Date('2026-03-01T10:00:00.000Z');
    await store.recordFacts(
      'pay-app-01',
      {
        reachable: true,
        facts: {
          os: 'Ubuntu 24.04',
          kernel: '6.8.0',
          cpuCount: 4,
          cpuModel: 'EPYC',
          memTotalBytes: 8 * 1024 ** 3,
          disks: [{ mount: '/', sizeBytes: 100, usedBytes: 40 }],
          ips: ['192.0.2.5', 'fe80::1'],
          uptimeSeconds: 3600,
        },
      },
      at,
    );
    expect(await store.get('pay-app-01')).toEqual({
      name: 'pay-app-01',
      entityRef: 'resource:default/pay-app-01',
      address: '192.0.2.10',
      port: 22,
      environment: 'prod',
      owner: 'dev',
      system: 'payments',
      tags: ['java', 'app'],
      source: 'cmdb',
      reachable: true,
      os: 'Ubuntu 24.04',
      uptimeSeconds: 3600,
      collectedAt: '2026-03-01T10:00:00.000Z',
      kernel: '6.8.0',
      cpuCount: 4,
      cpuModel: 'EPYC',
      memTotalBytes: 8 * 1024 ** 3,
      disks: [{ mount: '/', sizeBytes: 100, usedBytes: 40 }],
      ips: ['192.0.2.5', 'fe80::1'],
      lastOkAt: '2026-03-01T10:00:00.000Z',
    });
    expect(await store.get('web-01')).toMatchObject({
      loginUser: 'ops',
      credential: 'ops-ssh',
      description: 'front',
      uptimeSeconds: 42,
    });
    expect(await store.get('build_01')).toMatchObject({
      reachable: null,
      source: 'catalog',
      entityRef: 'resource:infra/build_01',
    });
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.insert(host('web-01'))).toBe(false);
  });

  it('keeps previous facts when a host becomes unreachable, and recovers', async () => {
    const { store } = await createStore();
    await seed(store);
    const t1 = new Date('2026-03-01T10:00:00.000Z');
    const t2 = new Date('2026-03-01T10:10:00.000Z');
    const t3 = new Date('2026-03-01T10:20:00.000Z');
    await store.recordFacts(
      'web-01',
      { reachable: true, facts: { os: 'A' } },
      t1,
    );
    await store.recordFacts(
      'web-01',
      { reachable: false, error: 'timeout' },
      t2,
    );
    expect(await store.get('web-01')).toMatchObject({
      reachable: false,
      error: 'timeout',
      os: 'A',
      collectedAt: t2.toISOString(),
      lastOkAt: t1.toISOString(),
    });
    await store.recordFacts(
      'web-01',
      { reachable: true, facts: { os: 'B' } },
      t3,
    );
    const back = await store.get('web-01');
    expect(back).toMatchObject({
      reachable: true,
      os: 'B',
      lastOkAt: t3.toISOString(),
    });
    expect(back?.error).toBeUndefined();
    // facts of an unknown host are dropped
    await store.recordFacts('ghost', { reachable: false, error: 'x' });
    expect(await store.get('ghost')).toBeUndefined();
  });

  it('filters by environment, owner, system, tag, reachable and name', async () => {
    const { store } = await createStore();
    await seed(store);
    const names = async (q: Parameters<typeof store.list>[0]) =>
      (await store.list(q)).items.map(h => h.name);

    expect(await names({})).toEqual([
      'build_01',
      'pay-app-01',
      'web-01',
      'web-02',
    ]);
    expect(await names({ environment: 'prod' })).toEqual([
      'pay-app-01',
      'web-01',
    ]);
    expect(await names({ owner: 'dev' })).toEqual(['pay-app-01']);
    expect(await names({ system: 'storefront' })).toEqual(['web-01', 'web-02']);
    expect(await names({ tag: 'nginx' })).toEqual(['web-01', 'web-02']);
    expect(await names({ tag: 'web' })).toEqual(['web-01']);
    expect(await names({ tag: 'ngin' })).toEqual([]);
    expect(await names({ reachable: 'true' })).toEqual(['web-01']);
    expect(await names({ reachable: 'false' })).toEqual(['web-02']);
    expect(await names({ reachable: 'unknown' })).toEqual([
      'build_01',
      'pay-app-01',
    ]);
    expect(await names({ q: 'WEB' })).toEqual(['web-01', 'web-02']);
    expect(await names({ q: '_' })).toEqual(['build_01']); // literal, not a wildcard
    expect(await names({ q: 'app', environment: 'prod' })).toEqual([
      'pay-app-01',
    ]);
    expect(await names({ environment: 'test' })).toEqual([]);
  });

  it('pages by name with a keyset cursor; total only on the first page', async () => {
    const { store } = await createStore();
    for (let i = 0; i < 7; i++) {
      await store.insert(
        host(`h-${i}`, { environment: i % 2 ? 'dev' : 'prod' }),
      );
    }
    const p1 = await store.list({ limit: 3 });
    expect(p1.items.map(h => h.name)).toEqual(['h-0', 'h-1', 'h-2']);
    expect(p1.total).toBe(7);
    expect(p1.nextCursor).toBe('h-2');
    const p2 = await store.list({ limit: 3, after: p1.nextCursor });
    expect(p2.items.map(h => h.name)).toEqual(['h-3', 'h-4', 'h-5']);
    expect(p2.total).toBeUndefined();
    const p3 = await store.list({ limit: 3, after: p2.nextCursor });
    expect(p3.items.map(h => h.name)).toEqual(['h-6']);
    expect(p3.nextCursor).toBeUndefined();
    expect(p3.total).toBeUndefined();

    const prod = await store.list({ environment: 'prod', limit: 2 });
    expect(prod.items.map(h => h.name)).toEqual(['h-0', 'h-2']);
    expect(prod.total).toBe(4);
    const prod2 = await store.list({
      environment: 'prod',
      limit: 2,
      after: prod.nextCursor,
    });
    expect(prod2.items.map(h => h.name)).toEqual(['h-4', 'h-6']);
    expect(prod2.nextCursor).toBeUndefined();

    // exactly one full page: no cursor
    expect((await store.list({ limit: 7 })).nextCursor).toBeUndefined();
    // limit is capped at 500
    expect((await store.list({ limit: 100000 })).items).toHaveLength(7);

    const streamed: string[] = [];
    for await (const page of store.stream({ environment: 'dev' }, 2)) {
      expect(page.length).toBeLessThanOrEqual(2);
      streamed.push(...page.map(h => h.name));
    }
    expect(streamed).toEqual(['h-1', 'h-3', 'h-5']);
  });

  it('caches the first-page count briefly, and drops it on writes', async () => {
    const { knex, timed, advance } = await createStore();
    await timed.insert(host('a'));
    expect((await timed.list({})).total).toBe(1);
    // a row written behind the store's back is not counted while cached
    await knex('hosts').insert({
      name: 'b',
      address: '192.0.2.2',
      environment: 'prod',
      owner: 'ops',
      source: 'cmdb',
      entity_ref: 'resource:default/b',
    });
    const cached = await timed.list({});
    expect(cached.items).toHaveLength(2);
    expect(cached.total).toBe(1);
    advance(11_000);
    expect((await timed.list({})).total).toBe(2);
    await timed.insert(host('c'));
    expect((await timed.list({})).total).toBe(3);
  });

  it('replaces catalog hosts without touching CMDB hosts', async () => {
    const { store } = await createStore();
    await store.insert(host('cmdb-1'));
    const cat = (name: string, address = '203.0.113.9') =>
      host(name, { source: 'catalog', address });
    expect(
      await store.replaceCatalogHosts([cat('yaml-1'), cat('yaml-2')]),
    ).toEqual({ upserted: 2, removed: 0 });
    await store.recordFacts('yaml-2', { reachable: true, facts: { os: 'x' } });

    // yaml-1 changed, yaml-2 gone, yaml-3 new, cmdb-1 also in the catalog
    const result = await store.replaceCatalogHosts([
      cat('yaml-1', 'yaml-1.example.com'),
      cat('yaml-3'),
      cat('cmdb-1', '1.1.1.1'),
    ]);
    expect(result.removed).toBe(1);
    const all = (await store.list({})).items;
    expect(all.map(h => [h.name, h.source, h.address])).toEqual([
      ['cmdb-1', 'cmdb', '192.0.2.6'],
      ['yaml-1', 'catalog', 'yaml-1.example.com'],
      ['yaml-3', 'catalog', '203.0.113.9'],
    ]);
    expect(await store.get('yaml-2')).toBeUndefined();

    const cmdbOnly: string[] = [];
    for await (const page of store.records('cmdb')) {
      cmdbOnly.push(...page.map(r => r.name));
    }
    expect(cmdbOnly).toEqual(['cmdb-1']);

    expect(await store.delete('cmdb-1')).toBe(true);
    expect(await store.delete('cmdb-1')).toBe(false);
  });
});
