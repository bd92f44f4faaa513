import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { RunningImage } from '@opsdeck/plugin-registry-node';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import { FactCollector } from './FactCollector';

const H = (c: string) => c.repeat(64);
const D = (c: string) => `sha256:${H(c)}`;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** Facts output of a host running one container (docker), or none. */
const output = (containers: boolean) =>
  [
    '@@os',
    'Debian GNU/Linux 12 (bookworm)',
    '@@containers',
    ...(containers
      ? [
          `C /web sha256:${H('1')}`,
          `I sha256:${H('1')} 127.0.0.1:5000/shop/web@${D('a')}`,
        ]
      : []),
    '@@end',
    '',
  ].join('\n');

describe('FactCollector reports the containers a host runs', () => {
  async function setUp(answer: () => any) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insert(
      newHostRecord({
        name: 'web-01',
        address: '127.0.0.1',
        port: 22,
        credential: 'root-key',
        environment: 'test',
        owner: 'ops',
      }),
    );
    const reports: { source: string; images: RunningImage[] }[] = [];
    const collector = new FactCollector({
      store,
      ssh: { exec: jest.fn(async () => answer()) } as any,
      vault: {
        getSecret: async () =>
          ({ type: 'password', username: 'root', password: 'pw' } as any),
      },
      logger: mockServices.logger.mock(),
      running: {
        async report(source, images) {
          reports.push({ source, images });
        },
      },
    });
    return { store, collector, reports };
  }

  it('reports the digests with the host as source, and an empty list without containers', async () => {
    let containers = true;
    const { store, collector, reports } = await setUp(() => ({
      stdout: output(containers),
      stderr: '',
      code: 0,
    }));
    const host = (await store.getRecord('web-01'))!;
    expect(await collector.collectOne(host)).toEqual({
      reachable: true,
      facts: expect.anything(),
    });
    expect(reports).toEqual([
      {
        source: `host:${host.entityRef}`,
        images: [
          {
            registry: '127.0.0.1:5000',
            repository: 'shop/web',
            digest: D('a'),
            kind: 'host',
            where: host.entityRef,
            entityRef: host.entityRef,
          },
        ],
      },
    ]);
    containers = false;
    await collector.collectOne(host);
    expect(reports[1]).toEqual({
      source: `host:${host.entityRef}`,
      images: [],
    });
  });

  it('reports nothing for an unreachable host (its last report expires)', async () => {
    const { store, collector, reports } = await setUp(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const outcome = await collector.collectOne(
      (await store.getRecord('web-01'))!,
    );
    expect(outcome.reachable).toBe(false);
    expect(reports).toEqual([]);
  });
});
