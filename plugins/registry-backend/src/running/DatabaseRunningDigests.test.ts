import { TestDatabases } from '@backstage/backend-test-utils';
import type { RunningImage } from '@opsdeck/plugin-registry-node';
import {
  applyRegistryMigrations,
  rollbackRegistryMigrations,
} from '../database/migrations';
import { DatabaseRunningDigests } from './DatabaseRunningDigests';

jest.setTimeout(60_000);

const D = (c: string) => `sha256:${c.repeat(64)}`;
const pod = (
  digest: string,
  where: string,
  extra: Partial<RunningImage> = {},
): RunningImage => ({
  registry: '127.0.0.1:5000',
  repository: 'shop/web',
  digest,
  kind: 'pod',
  where,
  entityRef: 'resource:default/k8s-prod',
  ...extra,
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DatabaseRunningDigests (%s)',
  id => {
    let now = new Date('2026-12-03T10:00:00Z');
    async function newStore() {
      const knex = await databases.init(id);
      await applyRegistryMigrations(knex);
      return {
        knex,
        store: new DatabaseRunningDigests(knex, {
          now: () => now,
          ttlMs: 60_000,
        }),
      };
    }
    beforeEach(() => {
      now = new Date('2026-12-03T10:00:00Z');
    });

    it('counts a running digest under any name of its registry (localhost, :443, an alias)', async () => {
      const { store } = await newStore();
      await store.report('cluster:k8s-prod', [
        pod(D('a'), 'k8s-prod/shop/web-1'),
      ]);
      // the pod pulled 127.0.0.1:5000/shop/web; the registry resource says localhost:5000
      for (const alias of [
        'localhost:5000',
        'registry.example:443',
        '[::1]:5000',
      ]) {
        expect(
          (await store.lookup(alias, 'shop/web', [D('a')])).map(p => p.where),
        ).toEqual(['k8s-prod/shop/web-1']);
      }
    });

    it('finds where digests run, by repository and digest', async () => {
      const { store } = await newStore();
      await store.report('cluster:k8s-prod', [
        pod(D('a'), 'k8s-prod/shop/web-1'),
        pod(D('a'), 'k8s-prod/shop/web-2'),
        pod(D('b'), 'k8s-prod/shop/web-3'),
        pod(D('a'), 'k8s-prod/shop/web-1'), // twice: once
      ]);
      await store.report('host:resource:default/web-01', [
        pod(D('a'), 'resource:default/web-01', {
          kind: 'host',
          entityRef: 'resource:default/web-01',
        }),
      ]);
      expect(
        await store.lookup('127.0.0.1:5000', 'shop/web', [D('a')]),
      ).toEqual([
        {
          kind: 'host',
          where: 'resource:default/web-01',
          digest: D('a'),
          entityRef: 'resource:default/web-01',
        },
        {
          kind: 'pod',
          where: 'k8s-prod/shop/web-1',
          digest: D('a'),
          entityRef: 'resource:default/k8s-prod',
        },
        {
          kind: 'pod',
          where: 'k8s-prod/shop/web-2',
          digest: D('a'),
          entityRef: 'resource:default/k8s-prod',
        },
      ]);
      // another repository or digest: nothing
      expect(
        await store.lookup('127.0.0.1:5000', 'shop/api', [D('a')]),
      ).toEqual([]);
      expect(
        await store.lookup('127.0.0.1:5000', 'shop/web', [D('c')]),
      ).toEqual([]);
      expect(await store.lookup('127.0.0.1:5000', 'shop/web', [])).toEqual([]);
      // the registry host is compared without case
      expect(
        await store.lookup('127.0.0.1:5000'.toUpperCase(), 'shop/web', [
          D('b'),
        ]),
      ).toHaveLength(1);
    });

    it("replaces a source's report as a whole, leaving other sources", async () => {
      const { store } = await newStore();
      await store.report('cluster:a', [pod(D('a'), 'a/ns/p1')]);
      await store.report('cluster:b', [pod(D('a'), 'b/ns/p1')]);
      await store.report('cluster:a', [pod(D('b'), 'a/ns/p2')]);
      expect(
        (
          await store.lookup('127.0.0.1:5000', 'shop/web', [D('a'), D('b')])
        ).map(p => p.where),
      ).toEqual(['a/ns/p2', 'b/ns/p1']);
      await store.report('cluster:a', []);
      expect(
        (
          await store.lookup('127.0.0.1:5000', 'shop/web', [D('a'), D('b')])
        ).map(p => p.where),
      ).toEqual(['b/ns/p1']);
    });

    it('keeps the previous report when a report is refused (atomic)', async () => {
      const { store } = await newStore();
      await store.report('cluster:a', [pod(D('a'), 'a/ns/p1')]);
      await expect(
        store.report('cluster:a', [
          pod(D('b'), 'a/ns/p2'),
          pod('sha256:nope', 'a/ns/p3'),
        ]),
      ).rejects.toThrow(/images\[1\]: digest/);
      await expect(
        store.report('cluster:a', [pod(D('b'), 'x'.repeat(401))]),
      ).rejects.toThrow(/where/);
      await expect(store.report('pod:a', [])).rejects.toThrow(/source/);
      expect(
        (
          await store.lookup('127.0.0.1:5000', 'shop/web', [D('a'), D('b')])
        ).map(p => p.where),
      ).toEqual(['a/ns/p1']);
    });

    it('expires sources that stop reporting', async () => {
      const { store, knex } = await newStore();
      await store.report('cluster:old', [pod(D('a'), 'old/ns/p')]);
      now = new Date(now.getTime() + 30_000);
      await store.report('cluster:new', [pod(D('a'), 'new/ns/p')]);
      expect(
        (await store.lookup('127.0.0.1:5000', 'shop/web', [D('a')])).map(
          p => p.where,
        ),
      ).toEqual(['new/ns/p', 'old/ns/p']);
      now = new Date(now.getTime() + 40_000); // old is 70 s old, ttl 60 s
      expect(
        (await store.lookup('127.0.0.1:5000', 'shop/web', [D('a')])).map(
          p => p.where,
        ),
      ).toEqual(['new/ns/p']);
      // pruned at the next report
      await store.report('cluster:new', [pod(D('a'), 'new/ns/p')]);
      expect(
        (await knex('registry_running_digests').select('source')).map(
          r => r.source,
        ),
      ).toEqual(['cluster:new']);
    });

    it('rolls back', async () => {
      const { knex } = await newStore();
      await rollbackRegistryMigrations(knex);
      expect(await knex.schema.hasTable('registry_running_digests')).toBe(
        false,
      );
    });
  },
);
