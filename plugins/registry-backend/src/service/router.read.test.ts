import request from 'supertest';
import { LOGIN } from '../__testUtils__/routerFixture';
import {
  api,
  backend,
  enc,
  get,
  post,
  privateApi,
  proxy,
  registry,
  repos,
  tags,
  useRouterFixture,
} from '../__testUtils__/routerSuite';

jest.setTimeout(180_000);

// Reading a registry: the permission first, the resources, paging, manifests
// and recent tags, names refused, the vault login and why a registry cannot
// be read. Deleting and retention: router.delete.test.ts.
describe('registry router against Debian docker-registry: reading', () => {
  useRouterFixture();

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
