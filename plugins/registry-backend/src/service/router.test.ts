import request from 'supertest';
import { as, asPlugin } from '../__testUtils__/testBackend';
import {
  LOGIN,
  REPOS,
  RouterFixture,
  startRouterFixture,
} from '../__testUtils__/routerFixture';

jest.setTimeout(180_000);

const enc = encodeURIComponent;

describe('registry router against Debian docker-registry', () => {
  let fixture: RouterFixture;
  let registry: RouterFixture['registry'];
  let backend: RouterFixture['backend'];
  let proxy: RouterFixture['proxy'];
  let tags: RouterFixture['tags'];
  const api = '/api/registry/registries/default/local';
  const privateApi = '/api/registry/registries/default/private';
  const repos = REPOS;

  beforeAll(async () => {
    fixture = await startRouterFixture();
    ({ registry, backend, proxy, tags } = fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  const get = (path: string, user = 'erin') =>
    request(backend.server).get(path).set('Authorization', as(user));
  const post = (path: string, body: object, user = 'bob') =>
    request(backend.server)
      .post(path)
      .set('Authorization', as(user))
      .send(body);

  it('asks for credentials and the permission before anything else', async () => {
    const { server } = backend;
    expect((await request(server).get('/api/registry/registries')).status).toBe(
      401,
    );
    for (const path of [
      '/api/registry/registries',
      `${api}/repositories`,
      `${api}/tags?repository=${enc('shop/web')}`,
      `${api}/manifest?repository=${enc('shop/web')}&reference=v1`,
    ]) {
      const res = await get(path, 'mallory');
      expect([path, res.status]).toEqual([path, 403]);
    }
    for (const user of ['mallory', 'erin', 'dave']) {
      const res = await post(
        `${api}/tags/delete`,
        { repository: 'tools/old', tag: 'a1' },
        user,
      );
      expect([user, res.status]).toEqual([user, 403]);
    }
    expect(
      (
        await post(
          `${api}/retention/dry-run`,
          { repository: 'shop/web', keepLast: 1 },
          'mallory',
        )
      ).status,
    ).toBe(403);
    expect(
      (await get(`${api}/tags?repository=${enc('tools/old')}`)).body.items,
    ).toContain('a1');
    const denials = backend.events.filter(e => e.eventId === 'access-denied');
    expect(denials.length).toBeGreaterThan(0);
  });

  it('lists the registry resources, never a secret', async () => {
    const res = await get('/api/registry/registries');
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: any) => r.ref).sort()).toEqual([
      'resource:default/denied-login',
      'resource:default/local',
      'resource:default/no-login',
      'resource:default/not-tls',
      'resource:default/private',
      'resource:default/unreachable',
      'resource:default/wrong-login',
    ]);
    expect(JSON.stringify(res.body)).not.toContain(LOGIN.password);
    expect(
      (
        await get(
          '/api/registry/registries/default/not-a-registry/repositories',
        )
      ).status,
    ).toBe(404);
    expect(
      (await get('/api/registry/registries/default/nope/repositories')).status,
    ).toBe(404);
  });

  it('pages _catalog with n/last (Link header) to the end', async () => {
    const seen: string[] = [];
    const pages: string[][] = [];
    let last: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await get(
        `${api}/repositories?limit=2${
          last ? `&last=${encodeURIComponent(last)}` : ''
        }`,
      );
      expect(res.status).toBe(200);
      pages.push(res.body.items);
      seen.push(...res.body.items);
      last = res.body.next;
      if (!last) break;
    }
    expect(seen).toEqual(repos);
    expect(pages[0]).toEqual(['aa/one', 'aa/two']);
    expect(pages.every(p => p.length <= 2)).toBe(true);
  });

  it('pages tags', async () => {
    const first = await get(
      `${api}/tags?repository=${enc('tools/old')}&limit=4`,
    );
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(first.body.next).toBe('a4');
    const second = await get(
      `${api}/tags?repository=${enc('tools/old')}&limit=4&last=a4`,
    );
    expect(second.body.items).toEqual(['a5', 'v1']);
    expect(second.body.next).toBeUndefined();
  });

  it('summarises a multi-platform index per platform with sizes and created times', async () => {
    const res = await get(
      `${api}/manifest?repository=${enc('shop/web')}&reference=v2`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'index',
      digest: tags.v2.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      created: '2026-02-01T00:05:00Z',
      running: [],
    });
    expect(
      res.body.images.map((i: any) => [
        i.platform,
        i.digest,
        i.size,
        i.created,
      ]),
    ).toEqual(
      tags.v2.images.map(i => [
        i.variant
          ? { os: 'linux', architecture: i.architecture, variant: i.variant }
          : { os: 'linux', architecture: i.architecture },
        i.digest,
        i.size,
        i.created,
      ]),
    );
    expect(res.body.size).toBe(tags.v2.images[0].size + tags.v2.images[1].size);
    expect(res.body.images[1].layers).toEqual([
      expect.objectContaining({ size: tags.v2.images[1].layerSize }),
    ]);
  });

  it('summarises a single image and shows where a digest runs', async () => {
    const v1 = await get(
      `${api}/manifest?repository=${enc('shop/web')}&reference=v1`,
    );
    expect(v1.body).toMatchObject({
      kind: 'image',
      digest: tags.v1.digest,
      size: tags.v1.images[0].size,
      created: '2026-01-01T00:00:00Z',
    });
    expect(v1.body.images[0].platform).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    const byDigest = await get(
      `${api}/manifest?repository=${enc('shop/web')}&reference=${enc(
        tags.v3.digest,
      )}`,
    );
    expect(byDigest.body.running).toEqual([
      { kind: 'pod', where: 'k8s-prod/shop/web-7d9', digest: tags.v3.digest },
    ]);
  });

  it('lists the newest tags by created time with digest, size and where they run', async () => {
    const recent = (query: string, user = 'erin') =>
      get(`${api}/recent-tags?repository=${enc('shop/web')}${query}`, user);
    const res = await recent('');
    expect(res.status).toBe(200);
    const v2Size = tags.v2.images[0].size + tags.v2.images[1].size;
    expect(res.body).toEqual({
      repository: 'shop/web',
      total: 5,
      items: [
        ['v4', tags.v4, '2026-04-01T00:00:00Z', tags.v4.images[0].size],
        ['v3', tags.v3, '2026-03-01T00:00:00Z', tags.v3.images[0].size],
        ['latest', tags.v2, '2026-02-01T00:05:00Z', v2Size],
        ['v2', tags.v2, '2026-02-01T00:05:00Z', v2Size],
        ['v1', tags.v1, '2026-01-01T00:00:00Z', tags.v1.images[0].size],
      ].map(([tag, built, created, size]: any[]) => ({
        tag,
        digest: built.digest,
        created,
        size,
        running:
          tag === 'v3'
            ? [
                {
                  kind: 'pod',
                  where: 'k8s-prod/shop/web-7d9',
                  digest: built.digest,
                },
              ]
            : [],
      })),
    });
    const two = await recent('&limit=2');
    expect(two.body.items.map((t: any) => t.tag)).toEqual(['v4', 'v3']);
    expect(two.body.total).toBe(5);
    // the limit is capped at 20
    expect((await recent('&limit=20')).status).toBe(200);
    const over = await recent('&limit=21');
    expect(over.status).toBe(400);
    expect(over.body.error.name).toBe('InputError');
    // unknown repository and registry: 404s (the app's error handler codes
    // them not-found)
    const unknown = await get(
      `${api}/recent-tags?repository=${enc('shop/nope')}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.name).toBe('NotFoundError');
    expect(unknown.body.error.message).toContain('shop/nope');
    const noRegistry = await get(
      `/api/registry/registries/default/nope/recent-tags?repository=${enc(
        'shop/web',
      )}`,
    );
    expect(noRegistry.status).toBe(404);
    expect(noRegistry.body.error.name).toBe('NotFoundError');
    // without opsdeck.registry.read: refused before the registry is asked
    const before = proxy.forwarded.length;
    const refused = await get(
      `${privateApi}/recent-tags?repository=${enc('shop/web')}`,
      'mallory',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('NotAllowedError');
    expect(proxy.forwarded.length).toBe(before);
  });

  it('reads each tag manifest once and what a digest points at once, however many tags share it', async () => {
    const before = proxy.forwarded.length;
    const res = await get(
      `${privateApi}/recent-tags?repository=${enc('shop/web')}&limit=2`,
      'dave',
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: any) => t.tag)).toEqual(['v4', 'v3']);
    const made = proxy.forwarded.slice(before);
    const base = '/v2/shop/web';
    const v2 = tags.v2.images.map(i => i.digest);
    expect(made.filter(r => r.includes('/tags/list'))).toHaveLength(1);
    // every tag's manifest by tag, once (latest and v2 share a digest)
    expect(made.filter(r => /\/manifests\/[^:]+$/.test(r)).sort()).toEqual(
      ['latest', 'v1', 'v2', 'v3', 'v4'].map(t => `GET ${base}/manifests/${t}`),
    );
    // the index's two platform manifests once, not once per tag
    expect(made.filter(r => r.includes('/manifests/sha256:')).sort()).toEqual(
      v2.map(d => `GET ${base}/manifests/${d}`).sort(),
    );
    // one config per image: v1, v3, v4 and v2's two platforms
    expect(made.filter(r => r.includes('/blobs/'))).toHaveLength(5);
    expect(new Set(made).size).toBe(made.length);
    expect(made).toHaveLength(1 + 5 + 2 + 5);
  });

  it('refuses names outside the distribution grammar before asking the registry', async () => {
    for (const [repository, reference] of [
      ['../v2/_catalog', 'v1'],
      ['Shop/Web', 'v1'],
      ['shop/web', 'v1/../../x'],
      ['shop/web?x=1', 'v1'],
      ['shop/web', 'sha256:abc'],
    ]) {
      const q = `repository=${enc(repository)}&reference=${enc(reference)}`;
      const res = await get(`${api}/manifest?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
    }
    expect(
      (
        await get(
          `${api}/manifest?repository=${enc('shop/web')}&reference=nope`,
        )
      ).status,
    ).toBe(404);
  });

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

  it('logs in through the vault (registry use, bearer token realm) and never returns the login', async () => {
    const res = await get(
      `${privateApi}/manifest?repository=${enc('aa/one')}&reference=v1`,
      'dave',
    );
    expect(res.status).toBe(200);
    expect(res.body.digest).toBe(tags.v1.digest);
    const page = await get(`${privateApi}/repositories?limit=3`, 'dave');
    expect(page.body.items).toEqual(['aa/one', 'aa/two', 'bb']);
    expect(
      backend.vaultUses.filter(u => u.name === 'reg-login')[0].use,
    ).toEqual({
      use: 'registry',
      for: { ref: 'resource:default/private', owner: 'group:default/ops' },
      actor: 'user:default/dave',
    });
    expect(proxy.seen).toContain(
      `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString(
        'base64',
      )}`,
    );
    expect(proxy.seen).toContain(`Bearer ${proxy.token}`);
    for (const body of [res.text, page.text]) {
      expect(body).not.toContain(LOGIN.password);
      expect(body).not.toContain(proxy.token);
    }
    const refused = await get(
      `/api/registry/registries/default/wrong-login/repositories`,
      'dave',
    );
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'registry-login-refused',
      registry: new URL(proxy.url).host,
      answered: 401,
    });
    expect(refused.text).not.toContain('wrong-pw-77aa');
    expect(JSON.stringify(backend.events)).not.toContain(LOGIN.password);
  });

  it('serves a kept tag list only through the same registry resource and login, each page through the vault', async () => {
    const path = `${privateApi}/tags?repository=${enc('tools/old')}&limit=2`;
    const uses = () =>
      backend.vaultUses.filter(u => u.name === 'reg-login').length;
    const first = await get(path, 'dave');
    expect(first.body).toEqual({
      repository: 'tools/old',
      items: ['a1', 'a2'],
      next: 'a2',
    });
    const taken = uses();
    const second = await get(`${path}&last=a2`, 'dave');
    expect(second.body.items).toEqual(['a3', 'a4']);
    expect(uses()).toBe(taken + 1);
    // same registry URL and repository, another resource with a wrong login
    const wrong = await get(
      `/api/registry/registries/default/wrong-login/tags?repository=${enc(
        'tools/old',
      )}&limit=2&last=a2`,
      'dave',
    );
    expect(wrong.status).toBe(503);
    expect((await get(`${path}&last=a2`, 'mallory')).status).toBe(403);
  });

  it('says why a registry cannot be read with a code: unreachable, TLS, the vault credential missing or refused', async () => {
    const repositories = (name: string) =>
      get(`/api/registry/registries/default/${name}/repositories`, 'dave');
    const unreachable = await repositories('unreachable');
    expect(unreachable.status).toBe(503);
    expect(unreachable.body.error).toMatchObject({
      code: 'registry-unreachable',
      reason: 'ECONNREFUSED',
    });
    const tls = await repositories('not-tls');
    expect(tls.status).toBe(503);
    expect(tls.body.error).toMatchObject({
      code: 'registry-tls',
      registry: registry.host,
    });
    const missing = await repositories('no-login');
    expect(missing.status).toBe(409);
    expect(missing.body.error).toMatchObject({
      code: 'registry-credential-missing',
      credential: 'missing-login',
    });
    const denied = await repositories('denied-login');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      code: 'registry-credential-denied',
      credential: 'denied-login',
    });
  });
});
