import request from 'supertest';
import { as, asPlugin } from '../__testUtils__/testBackend';
import {
  api,
  backend,
  enc,
  get,
  post,
  registry,
  tags,
  useRouterFixture,
} from '../__testUtils__/routerSuite';

jest.setTimeout(180_000);

// Deleting tags and retention: refused while a digest runs (running reports
// only from the plugin that owns the source, places named only to those who
// may see them) or other tags share it, audited with the person. Reading:
// router.read.test.ts.
describe('registry router against Debian docker-registry: deleting', () => {
  useRouterFixture();

  it('refuses to delete a running digest', async () => {
    const res = await post(`${api}/tags/delete`, {
      repository: 'shop/web',
      tag: 'v3',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('k8s-prod/shop/web-7d9');
    expect(res.body.error).toMatchObject({
      code: 'registry-image-running',
      image: 'shop/web:v3',
    });
    expect(
      (await get(`${api}/manifest?repository=${enc('shop/web')}&reference=v3`))
        .status,
    ).toBe(200);
    const event = backend.events.find(
      e => e.eventId === 'registry-tag-delete' && e.meta?.tag === 'v3',
    );
    expect(event).toMatchObject({
      status: 'failed',
      meta: { actor: 'user:default/bob', target: 'resource:default/local' },
    });
  });

  it('takes running reports only from the plugin that owns the source kind', async () => {
    const body = {
      source: 'cluster:k8s-evil',
      images: [
        {
          registry: new URL(registry.url).host,
          repository: 'shop/web',
          digest: tags.v4.digest,
          kind: 'pod',
          where: 'k8s-evil/ns/p',
          entityRef: 'resource:default/k8s-prod',
        },
      ],
    };
    const report = (authorization?: string, data: object = body) => {
      const r = request(backend.server).post('/api/registry/running/report');
      if (authorization) r.set('Authorization', authorization);
      return r.send(data);
    };
    expect((await report()).status).toBe(401);
    // a person (even an admin) cannot say what runs where
    expect((await report(as('alice'))).status).toBe(403);
    // the cmdb reports hosts, not clusters; the kubernetes plugin not hosts
    expect((await report(asPlugin('cmdb'))).status).toBe(403);
    expect(
      (
        await report(asPlugin('kubernetes'), {
          ...body,
          source: 'host:resource:default/web-01',
        })
      ).status,
    ).toBe(403);
    expect((await report(asPlugin('catalog'))).status).toBe(403);
    // what does not parse is refused
    expect(
      (
        await report(asPlugin('kubernetes'), {
          ...body,
          images: [{ ...body.images[0], digest: 'sha256:abc' }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await report(asPlugin('kubernetes'), {
          ...body,
          images: [{ ...body.images[0], kind: 'vm' }],
        })
      ).status,
    ).toBe(400);
    // nothing of it was recorded
    const v4 = await get(
      `${api}/manifest?repository=${enc('shop/web')}&reference=v4`,
    );
    expect(v4.body.running).toEqual([]);
  });

  it('shows and names only the places the caller may see in the catalog', async () => {
    await backend.report('cluster:k8s-secret', [
      {
        registry: new URL(registry.url).host,
        repository: 'aa/one',
        digest: tags.v1.digest,
        kind: 'pod',
        where: 'k8s-secret/vault/agent-1',
        entityRef: 'resource:default/k8s-secret',
      },
    ]);
    const path = `${api}/manifest?repository=${enc('aa/one')}&reference=v1`;
    expect((await get(path, 'erin')).body.running).toEqual([
      {
        kind: 'pod',
        where: 'k8s-secret/vault/agent-1',
        digest: tags.v1.digest,
      },
    ]);
    // dave cannot see the cluster: nothing shown...
    expect((await get(path, 'dave')).body.running).toEqual([]);
    // ...and bob, who sees it, is told where it runs
    const refused = await post(`${api}/tags/delete`, {
      repository: 'aa/one',
      tag: 'v1',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('k8s-secret/vault/agent-1');
    await backend.report('cluster:k8s-secret', []);
  });

  it('refuses the delete of a digest running where the person cannot see, without naming it', async () => {
    await backend.report('cluster:k8s-secret', [
      {
        registry: new URL(registry.url).host,
        repository: 'aa/two',
        digest: tags.v1.digest,
        kind: 'pod',
        where: 'k8s-secret/vault/agent-2',
        entityRef: 'resource:default/k8s-secret',
      },
    ]);
    const refused = await post(
      `${api}/tags/delete`,
      { repository: 'aa/two', tag: 'v1' },
      'frank',
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('1 place(s) you cannot see');
    expect(refused.body.error.message).not.toContain('agent-2');
    // the code's details name no more than the message
    expect(refused.body.error.code).toBe('registry-image-running');
    expect(JSON.stringify(refused.body.error)).not.toContain('agent-2');
    await backend.report('cluster:k8s-secret', []);
  });

  it('refuses to delete a digest other tags share unless the caller confirms it', async () => {
    const refused = await post(`${api}/tags/delete`, {
      repository: 'shop/web',
      tag: 'latest',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('v2');
    expect(refused.body.error.message).toContain(tags.v2.digest);
    // with a code the portal says in the reader's language (and asks to confirm by)
    expect(refused.body.error).toMatchObject({
      code: 'registry-digest-shared',
      image: 'shop/web:latest',
      digest: tags.v2.digest,
    });
    const wrong = await post(`${api}/tags/delete`, {
      repository: 'shop/web',
      tag: 'latest',
      confirmDigest: tags.v1.digest,
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toContain('look again');
    expect(wrong.body.error.code).toBe('registry-tag-moved');
    expect(
      (await get(`${api}/tags?repository=${enc('shop/web')}`)).body.items,
    ).toContain('latest');

    const done = await post(`${api}/tags/delete`, {
      repository: 'shop/web',
      tag: 'latest',
      confirmDigest: tags.v2.digest,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      digest: tags.v2.digest,
      removedTags: ['latest', 'v2'],
    });
    expect(done.body.garbageCollection).toContain('garbage-collect');
    expect(
      (await get(`${api}/tags?repository=${enc('shop/web')}`)).body.items,
    ).toEqual(['v1', 'v3', 'v4']);
    const event = backend.events.find(
      e => e.eventId === 'registry-tag-delete' && e.status === 'succeeded',
    );
    expect(event?.meta).toMatchObject({
      actor: 'user:default/bob',
      target: 'resource:default/local',
      repository: 'shop/web',
      tag: 'latest',
      digest: tags.v2.digest,
    });
  });

  it('deletes a tag whose digest no other tag shares, audited with the person', async () => {
    // docker-registry answers every tag at once: this page keeps the whole
    // list (v1, v3, v4: latest and v2 went above) for the next pages, which
    // the delete must drop
    const before = await get(
      `${api}/tags?repository=${enc('shop/web')}&limit=2`,
    );
    expect(before.body).toMatchObject({ items: ['v1', 'v3'], next: 'v3' });
    const res = await post(
      `${api}/tags/delete`,
      { repository: 'shop/web', tag: 'v4' },
      'alice',
    );
    expect(res.status).toBe(200);
    expect(res.body.removedTags).toEqual(['v4']);
    const listed: string[] = [];
    let last: string | undefined = undefined;
    do {
      const page = await get(
        `${api}/tags?repository=${enc('shop/web')}&limit=2${
          last ? `&last=${last}` : ''
        }`,
      );
      listed.push(...page.body.items);
      last = page.body.next;
    } while (last);
    expect(listed).toEqual(['v1', 'v3']);
    expect(
      (await get(`${api}/manifest?repository=${enc('shop/web')}&reference=v4`))
        .status,
    ).toBe(404);
    expect(
      backend.events.some(
        e =>
          e.eventId === 'registry-tag-delete' &&
          e.status === 'succeeded' &&
          e.meta?.actor === 'user:default/alice' &&
          e.meta?.tag === 'v4',
      ),
    ).toBe(true);
  });

  it('dry-runs retention: keeps the newest N, running digests and shared digests', async () => {
    const res = await post(
      `${api}/retention/dry-run`,
      { repository: 'tools/old', keepLast: 1 },
      'erin',
    );
    expect(res.status).toBe(200);
    // every tag of tools/old points at one digest: the newest keeps them all
    expect(res.body.delete).toEqual([]);
    expect(res.body.keep.map((k: any) => k.reason).sort()).toEqual([
      'newest',
      'shared',
      'shared',
      'shared',
      'shared',
      'shared',
    ]);
    const web = await post(
      `${api}/retention/dry-run`,
      { repository: 'shop/web', keepLast: 0 },
      'erin',
    );
    expect(web.body.keep).toEqual([
      {
        tag: 'v3',
        digest: tags.v3.digest,
        created: '2026-03-01T00:00:00Z',
        reason: 'running',
      },
    ]);
    expect(web.body.delete).toEqual([
      { tag: 'v1', digest: tags.v1.digest, created: '2026-01-01T00:00:00Z' },
    ]);
    expect(
      (await get(`${api}/tags?repository=${enc('shop/web')}`)).body.items,
    ).toEqual(['v1', 'v3']);
  });

  it('applies retention only as confirmed, keeping running digests, audited', async () => {
    const apply = `${api}/retention/apply`;
    const rule = { repository: 'shop/web', keepLast: 0 };
    expect(
      (await post(apply, { ...rule, digests: [tags.v1.digest] }, 'erin'))
        .status,
    ).toBe(403);
    const stale = await post(apply, { ...rule, digests: [] });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('run the dry run again');
    expect(stale.body.error.code).toBe('registry-retention-changed');
    expect(
      (await get(`${api}/tags?repository=${enc('shop/web')}`)).body.items,
    ).toEqual(['v1', 'v3']);

    const done = await post(apply, { ...rule, digests: [tags.v1.digest] });
    expect(done.status).toBe(200);
    expect(done.body.deleted).toEqual([
      { tag: 'v1', digest: tags.v1.digest, created: '2026-01-01T00:00:00Z' },
    ]);
    expect(
      (await get(`${api}/tags?repository=${enc('shop/web')}`)).body.items,
    ).toEqual(['v3']);
    const event = backend.events.find(
      e => e.eventId === 'registry-retention-apply' && e.status === 'succeeded',
    );
    expect(event?.meta).toMatchObject({
      actor: 'user:default/bob',
      target: 'resource:default/local',
      deleted: [`v1@${tags.v1.digest}`],
    });
  });
});
