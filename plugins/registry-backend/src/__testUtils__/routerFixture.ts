import {
  BuiltTag,
  freePort,
  OciLayout,
  skopeoPush,
  startRegistry,
  startTokenProxy,
  TestRegistry,
} from '../testUtils/registryServer';
import {
  placeResource,
  registryResource,
  startRegistryBackend,
} from './testBackend';

/** The login the token proxy in front of the registry accepts. */
export const LOGIN = { username: 'ci-puller', password: 'reg-secret-8c1f2e' };
/** The repositories the fixture pushes, in `_catalog` order. */
export const REPOS = [
  'aa/one',
  'aa/two',
  'bb',
  'cc/x/y',
  'shop/web',
  'tools/old',
];

/**
 * The registry router's fixture: Debian docker-registry with shop/web v1-v4
 * and latest (v2, two platforms), v1 in every other repository, tools/old
 * tagged a1-a5; a token proxy asking for {@link LOGIN}; a registry backend
 * with the local, private (vault login), wrong-login and not-a-registry
 * resources, four registries that fail (no-login: the vault has no such
 * credential; denied-login: the vault refuses it; unreachable: nothing
 * listens; not-tls: https to the plain-http registry), two clusters (dave and frank cannot see k8s-secret), and v3
 * reported running on k8s-prod.
 */
export async function startRouterFixture() {
  const registry: TestRegistry = await startRegistry();
  const layout = new OciLayout();
  const tags: Record<string, BuiltTag> = {};
  const repos = REPOS;
  tags.v1 = layout.tag('v1', [
    layout.image({
      architecture: 'amd64',
      created: '2026-01-01T00:00:00Z',
      bytes: 700,
    }),
  ]);
  tags.v2 = layout.tag('v2', [
    layout.image({
      architecture: 'amd64',
      created: '2026-02-01T00:00:00Z',
      bytes: 900,
    }),
    layout.image({
      architecture: 'arm64',
      variant: 'v8',
      created: '2026-02-01T00:05:00Z',
      bytes: 300,
    }),
  ]);
  tags.v3 = layout.tag('v3', [
    layout.image({ architecture: 'amd64', created: '2026-03-01T00:00:00Z' }),
  ]);
  tags.v4 = layout.tag('v4', [
    layout.image({ architecture: 'amd64', created: '2026-04-01T00:00:00Z' }),
  ]);
  for (const tag of ['v1', 'v2', 'v3', 'v4']) {
    await skopeoPush(layout, tag, registry.host, 'shop/web');
  }
  await skopeoPush(layout, 'v2', registry.host, 'shop/web', 'latest');
  for (const repo of repos.filter(r => r !== 'shop/web')) {
    await skopeoPush(layout, 'v1', registry.host, repo);
  }
  for (const t of ['a1', 'a2', 'a3', 'a4', 'a5']) {
    await skopeoPush(layout, 'v1', registry.host, 'tools/old', t);
  }
  const proxy = await startTokenProxy(registry.url, LOGIN);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const backend = await startRegistryBackend({
    entities: [
      registryResource('local', registry.url),
      registryResource('private', proxy.url, { credential: 'reg-login' }),
      registryResource('wrong-login', proxy.url, { credential: 'bad-login' }),
      registryResource('no-login', proxy.url, { credential: 'missing-login' }),
      registryResource('denied-login', proxy.url, {
        credential: 'denied-login',
      }),
      registryResource('unreachable', closed),
      registryResource('not-tls', `https://${registry.host}`),
      registryResource('not-a-registry', registry.url, { type: 'database' }),
      placeResource('k8s-prod'),
      placeResource('k8s-secret'),
    ],
    // dave cannot see the secret cluster
    hidden: {
      dave: ['resource:default/k8s-secret'],
      frank: ['resource:default/k8s-secret'],
    },
    deniedSecrets: ['denied-login'],
    secrets: {
      'reg-login': { type: 'password', ...LOGIN },
      'bad-login': {
        type: 'password',
        username: LOGIN.username,
        password: 'wrong-pw-77aa',
      },
    },
  });
  await backend.report('cluster:k8s-prod', [
    {
      registry: new URL(registry.url).host,
      repository: 'shop/web',
      digest: tags.v3.digest,
      kind: 'pod',
      where: 'k8s-prod/shop/web-7d9',
      entityRef: 'resource:default/k8s-prod',
    },
  ]);
  return {
    registry,
    layout,
    tags,
    proxy,
    backend,
    async stop() {
      await backend.stop();
      await proxy.stop();
      await registry.stop();
      layout.remove();
    },
  };
}

export type RouterFixture = Awaited<ReturnType<typeof startRouterFixture>>;
