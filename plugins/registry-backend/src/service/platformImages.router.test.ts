import request from 'supertest';
import {
  BuiltTag,
  OciLayout,
  skopeoPush,
  startRegistry,
  TestRegistry,
} from '../testUtils/registryServer';
import {
  as,
  placeResource,
  registryResource,
  startRegistryBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

const enc = encodeURIComponent;

/**
 * A tag may point straight at one platform image of another tag's index
 * (`api:multi-amd64` at the amd64 manifest of `api:multi`). The registry
 * deletes manifests, not tags: deleting that tag deletes the image the
 * index (and whatever runs it) still needs.
 */
describe('registry: a platform image of another tag is not deleted', () => {
  let registry: TestRegistry;
  let layout: OciLayout;
  let backend: Awaited<ReturnType<typeof startRegistryBackend>>;
  const tags: Record<string, BuiltTag> = {};
  const api = '/api/registry/registries/default/local';

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
    tags.multi = layout.tag('multi', [amd64, arm64]);
    tags.amd64 = layout.tag('multi-amd64', [amd64]);
    // the same manifest: one digest under two tags
    if (tags.amd64.digest !== tags.multi.images[0].digest) {
      throw new Error('multi-amd64 is not the amd64 image of multi');
    }
    for (const tag of ['multi', 'multi-amd64']) {
      await skopeoPush(layout, tag, registry.host, 'shop/api');
    }
    backend = await startRegistryBackend({
      entities: [
        registryResource('local', registry.url),
        placeResource('k8s-prod'),
      ],
    });
    // what a pod started from shop/api:multi reports: the index digest
    await backend.report('cluster:k8s-prod', [
      {
        registry: new URL(registry.url).host,
        repository: 'shop/api',
        digest: tags.multi.digest,
        kind: 'pod',
        where: 'k8s-prod/shop/api-5c8',
        entityRef: 'resource:default/k8s-prod',
      },
    ]);
  });
  afterAll(async () => {
    await backend?.stop();
    await registry?.stop();
    layout?.remove();
  });

  const post = (path: string, body: object) =>
    request(backend.server)
      .post(path)
      .set('Authorization', as('bob'))
      .send(body);
  const platformImage = () =>
    request(backend.server)
      .get(
        `${api}/manifest?repository=${enc('shop/api')}&reference=${enc(
          tags.amd64.digest,
        )}`,
      )
      .set('Authorization', as('erin'));

  it('refuses to delete a tag whose digest is a platform image of a running index, even confirmed', async () => {
    for (const confirmDigest of [undefined, tags.amd64.digest]) {
      const res = await post(`${api}/tags/delete`, {
        repository: 'shop/api',
        tag: 'multi-amd64',
        ...(confirmDigest ? { confirmDigest } : {}),
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('multi');
    }
    expect((await platformImage()).status).toBe(200);
    expect(
      backend.events.filter(e => e.eventId === 'registry-tag-delete'),
    ).toEqual([
      expect.objectContaining({ status: 'failed' }),
      expect.objectContaining({ status: 'failed' }),
    ]);
  });

  it('keeps in a retention run a tag whose digest a kept index holds', async () => {
    const dry = await post(`${api}/retention/dry-run`, {
      repository: 'shop/api',
      keepLast: 1,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.delete).toEqual([]);
    expect(dry.body.keep.map((k: any) => [k.tag, k.reason]).sort()).toEqual([
      ['multi', 'newest'],
      ['multi-amd64', 'shared'],
    ]);
    const apply = await post(`${api}/retention/apply`, {
      repository: 'shop/api',
      keepLast: 1,
      digests: [],
    });
    expect(apply.status).toBe(200);
    expect(apply.body.deleted).toEqual([]);
    expect((await platformImage()).status).toBe(200);
  });
});
