import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { applyRegistryMigrations } from '../database/migrations';
import { DatabaseRunningDigests } from '../running/DatabaseRunningDigests';
import type { RunningDigests } from '../running/RunningDigests';
import {
  BuiltTag,
  OciLayout,
  skopeoPush,
  startRegistry,
  TestRegistry,
} from '../testUtils/registryServer';
import { placeResource, registryResource } from '../__testUtils__/testBackend';
import { RegistryService } from './RegistryService';

jest.setTimeout(180_000);

/**
 * A retention run plans, then deletes digest by digest, checking each for
 * running again right before it goes. A pod may start between the plan
 * and the delete from one platform image of an index the plan deletes
 * (its node pulled `shop/api@<amd64 digest>`): the last check must look at
 * the index's platform images too, not only at the index digest.
 */
describe('registry retention: the last check before a delete covers platform images', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let registry: TestRegistry;
  let layout: OciLayout;
  const tags: Record<string, BuiltTag> = {};

  beforeAll(async () => {
    registry = await startRegistry();
    layout = new OciLayout();
    const amd64 = layout.image({
      architecture: 'amd64',
      created: '2026-05-01T00:00:00Z',
    });
    const arm64 = layout.image({
      architecture: 'arm64',
      variant: 'v8',
      created: '2026-05-02T00:00:00Z',
    });
    const newer = layout.image({
      architecture: 'amd64',
      created: '2026-06-01T00:00:00Z',
    });
    tags.old = layout.tag('old', [amd64, arm64]);
    tags.new = layout.tag('new', [newer]);
    for (const tag of ['old', 'new']) {
      await skopeoPush(layout, tag, registry.host, 'shop/api');
    }
  });
  afterAll(async () => {
    await registry?.stop();
    layout?.remove();
  });

  it('stops when a platform image of a planned index starts running after the plan', async () => {
    const knex = await databases.init('SQLITE_3');
    await applyRegistryMigrations(knex);
    const store = new DatabaseRunningDigests(knex);
    const index = tags.old.digest;
    const amd64 = tags.old.images[0].digest;
    // the real store; a pod starts from the amd64 image right after the
    // plan found the index not running
    let planned = false;
    let started = false;
    const running: RunningDigests = {
      async lookup(host, repository, digests) {
        if (planned && !started) {
          started = true;
          await store.report('cluster:k8s-prod', [
            {
              registry: host,
              repository: 'shop/api',
              digest: amd64,
              kind: 'pod',
              where: 'k8s-prod/shop/api-7f9',
              entityRef: 'resource:default/k8s-prod',
            },
          ]);
        }
        const places = await store.lookup(host, repository, digests);
        if (digests.includes(index)) planned = true;
        return places;
      },
    };
    const service = new RegistryService({
      catalog: catalogServiceMock({
        entities: [
          registryResource('local', registry.url),
          placeResource('k8s-prod'),
        ],
      }),
      vault: {
        getSecret: async () => {
          throw new Error('anonymous registry');
        },
      },
      running,
    });
    const credentials = mockCredentials.user('user:default/bob');
    const target = await service.target('default', 'local', credentials);
    const dry = await service.retentionDryRun(
      target,
      'user:default/bob',
      'shop/api',
      1,
    );
    expect(dry.delete.map(e => e.digest)).toEqual([index]);
    planned = false;
    await expect(
      service.retentionApply(
        target,
        'user:default/bob',
        'shop/api',
        1,
        [index],
        credentials,
      ),
    ).rejects.toThrow(/started running on k8s-prod\/shop\/api-7f9/);
    expect(started).toBe(true);
    // the index is still there (its amd64 pod needs it listed under 'old')
    const res = await fetch(`${registry.url}/v2/shop/api/manifests/old`, {
      method: 'HEAD',
      headers: {
        Accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json',
      },
    });
    expect(res.status).toBe(200);
    await knex.destroy();
  });
});
