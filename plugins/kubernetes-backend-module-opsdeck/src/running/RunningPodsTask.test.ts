import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { RunningImage } from '@opsdeck/plugin-registry-node';
import type { SecretUse, VaultSecret } from '@opsdeck/plugin-vault-node';
import {
  clusterResource,
  startKubernetesBackend,
} from '../__testUtils__/testBackend';
import { CatalogClusterSupplier } from '../clusters/CatalogClusterSupplier';
import { FixtureCluster } from '../testUtils/FixtureCluster';
import { runningPod } from '../testUtils/runningPods';
import { podImages } from './podDigests';
import { RunningPodsTask } from './RunningPodsTask';

jest.setTimeout(60_000);

const D = (c: string) => `sha256:${c.repeat(64)}`;
const FIXTURE_DIGEST =
  'sha256:3f1c0d5e8a9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d';

describe('RunningPodsTask against the fixture API server', () => {
  const prod = new FixtureCluster('prod-sa-token');
  const other = new FixtureCluster('other-sa-token');
  let prodUrl: string;
  let otherUrl: string;

  beforeAll(async () => {
    prod.objects.push(
      runningPod({
        namespace: 'shop',
        name: 'web-7d9f8-abcde',
        image: '127.0.0.1:5000/shop/web:v3',
        imageID: `127.0.0.1:5000/shop/web@${D('a')}`,
        init: {
          image: 'busybox:1.36',
          imageID: `docker.io/library/busybox@${D('b')}`,
        },
      }),
      // a local image ID (no repository digest) says nothing
      runningPod({
        namespace: 'shop',
        name: 'local-1',
        image: 'local:dev',
        imageID: D('c'),
      }),
    );
    prodUrl = await prod.start();
    otherUrl = await other.start();
  });
  afterAll(async () => {
    await prod.stop();
    await other.stop();
  });

  function task(
    entities = [
      clusterResource('k8s-prod', prodUrl, { environment: 'prod' }),
      clusterResource('k8s-other', otherUrl),
    ],
    secrets: Record<string, VaultSecret> = {
      'k8s-prod-token': { type: 'password', password: 'prod-sa-token' },
      'k8s-other-token': { type: 'password', password: 'other-sa-token' },
    },
    pageSize?: number,
  ) {
    const uses: { name: string; use: SecretUse }[] = [];
    const reports: { source: string; images: RunningImage[] }[] = [];
    const run = new RunningPodsTask({
      clusters: new CatalogClusterSupplier({
        catalog: catalogServiceMock({ entities }),
        logger: mockServices.logger.mock(),
      }),
      auth: mockServices.auth(),
      vault: {
        async getSecret(name: string, use: SecretUse) {
          uses.push({ name, use });
          const secret = secrets[name];
          if (!secret) throw new Error(`no secret ${name}`);
          return secret;
        },
      },
      running: {
        async report(source, images) {
          reports.push({ source, images });
        },
      },
      logger: mockServices.logger.mock(),
      ...(pageSize ? { pageSize } : {}),
    });
    return { run, uses, reports };
  }

  it('reports every container digest of every cluster, paged, with the poll token', async () => {
    const { run, uses, reports } = task();
    prod.requests.length = 0;
    const results = await run.run();
    expect(results).toEqual([
      { cluster: 'k8s-other', images: 3 },
      { cluster: 'k8s-prod', images: 5 },
    ]);
    const prodReport = reports.find(r => r.source === 'cluster:k8s-prod')!;
    expect(prodReport.images).toEqual(
      expect.arrayContaining([
        {
          registry: '127.0.0.1:5000',
          repository: 'shop/web',
          digest: D('a'),
          kind: 'pod',
          where: 'k8s-prod/shop/web-7d9f8-abcde',
          entityRef: 'resource:default/k8s-prod',
        },
        {
          registry: 'docker.io',
          repository: 'library/busybox',
          digest: D('b'),
          kind: 'pod',
          where: 'k8s-prod/shop/web-7d9f8-abcde',
          entityRef: 'resource:default/k8s-prod',
        },
        expect.objectContaining({
          registry: 'registry.example.com',
          repository: 'shop/payments-api',
          digest: FIXTURE_DIGEST,
        }),
      ]),
    );
    expect(prodReport.images.some(i => i.where.endsWith('/local-1'))).toBe(
      false,
    );
    // the vault: poll use, for each cluster resource, no person
    expect(uses).toEqual(
      expect.arrayContaining([
        {
          name: 'k8s-prod-token',
          use: {
            use: 'kubernetes-poll',
            for: expect.objectContaining({
              ref: 'resource:default/k8s-prod',
              owner: 'group:default/ops',
              environment: 'prod',
            }),
          },
        },
      ]),
    );
    expect(uses.every(u => !('actor' in u.use))).toBe(true);
    // all pods, all namespaces, in pages, with the cluster's token
    const lists = prod.requests.filter(r => r.path === '/api/v1/pods');
    expect(lists.length).toBe(1);
    expect(lists[0].query.limit).toBe('500');
    expect(
      prod.requests.every(r => r.authorization === 'Bearer prod-sa-token'),
    ).toBe(true);
  });

  it('follows continue tokens page by page', async () => {
    // 5 pods at 2 per page: the fixture pages as the API server does
    const { run, reports } = task(undefined, undefined, 2);
    prod.requests.length = 0;
    await run.run();
    const lists = prod.requests.filter(r => r.path === '/api/v1/pods');
    expect(lists.map(r => [r.query.limit, Boolean(r.query.continue)])).toEqual([
      ['2', false],
      ['2', true],
      ['2', true],
    ]);
    expect(
      reports.find(r => r.source === 'cluster:k8s-prod')!.images,
    ).toHaveLength(5);
  });

  it('reports nothing for a cluster whose token the vault refuses, and still the others', async () => {
    const { run, reports } = task(undefined, {
      'k8s-other-token': { type: 'password', password: 'other-sa-token' },
    });
    const results = await run.run();
    expect(results).toEqual([
      { cluster: 'k8s-other', images: 3 },
      { cluster: 'k8s-prod', error: 'no secret k8s-prod-token' },
    ]);
    expect(reports.map(r => r.source)).toEqual(['cluster:k8s-other']);
  });

  it('reports nothing for a cluster that refuses the token', async () => {
    const { run, reports } = task(undefined, {
      'k8s-prod-token': { type: 'password', password: 'wrong' },
      'k8s-other-token': { type: 'password', password: 'other-sa-token' },
    });
    const results = await run.run();
    expect(results[1]).toEqual({
      cluster: 'k8s-prod',
      error: 'GET /api/v1/pods answered 401: Unauthorized',
    });
    expect(reports.map(r => r.source)).toEqual(['cluster:k8s-other']);
  });
});

describe('pod images', () => {
  const cluster = { name: 'c', entityRef: 'resource:default/c' };
  it('keeps only parseable pods and digests (a hostile API answer)', () => {
    const ok = `r.example/app@${D('e')}`;
    expect(
      podImages(
        [
          {
            metadata: { namespace: 'ns', name: 'p' },
            status: { containerStatuses: [{ imageID: ok }] },
          },
          {
            metadata: { namespace: '../x', name: 'p' },
            status: { containerStatuses: [{ imageID: ok }] },
          },
          {
            metadata: { namespace: 'ns', name: 'p/q' },
            status: { containerStatuses: [{ imageID: ok }] },
          },
          {
            metadata: { namespace: 'ns', name: 'q' },
            status: {
              containerStatuses: [
                { imageID: `r.example/app@sha256:${'Z'.repeat(64)}` },
                { imageID: 42 },
                null,
              ],
            },
          },
          {
            metadata: { namespace: 'ns', name: 'e' },
            status: { ephemeralContainerStatuses: [{ imageID: ok }] },
          },
          null,
          'x',
        ],
        cluster,
      ).map(i => i.where),
    ).toEqual(['c/ns/p', 'c/ns/e']);
    expect(podImages({ items: [] }, cluster)).toEqual([]);
  });
});

describe('the module schedules the task', () => {
  it('runs it through the scheduler and reports to the registry', async () => {
    const prod = new FixtureCluster('prod-sa-token');
    const url = await prod.start();
    const scheduler = mockServices.scheduler.mock();
    const backend = await startKubernetesBackend({
      scheduler,
      entities: [clusterResource('k8s-prod', url)],
      secrets: {
        'k8s-prod-token': { type: 'password', password: 'prod-sa-token' },
      },
      pollSeconds: 60,
    });
    try {
      // the test backend also runs the tickets plugin, which schedules its own tasks
      const ours = scheduler.scheduleTask.mock.calls
        .map(([task]) => task)
        .filter(task => task.id === 'opsdeck-kubernetes-running-images');
      expect(ours).toHaveLength(1);
      const scheduled = ours[0];
      expect(scheduled).toMatchObject({
        scope: 'global',
        frequency: { seconds: 60 },
      });
      expect(backend.reports).toEqual([]);
      await scheduled.fn(new AbortController().signal);
      expect(backend.reports[0]).toMatchObject({
        source: 'cluster:k8s-prod',
        images: expect.arrayContaining([
          expect.objectContaining({ digest: FIXTURE_DIGEST, kind: 'pod' }),
        ]),
      });
      expect(backend.vaultUses[0].use.use).toBe('kubernetes-poll');
    } finally {
      await backend.stop();
      await prod.stop();
    }
  });
});
