import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import type { ManifestSummary } from '@opsdeck/plugin-registry-common';
import { registryRouteRef } from '../routes';
import { ImageRepositoriesCard } from './ImageRepositoriesCard';
import { RegistryPage } from './RegistryPage';

const BASE = 'http://example.test';
const API = `${BASE}/api/registry/registries/default/harbor`;
const INDEX = `sha256:${'a'.repeat(64)}`;

const manifest: ManifestSummary = {
  repository: 'shop/web',
  reference: 'latest',
  digest: INDEX,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  kind: 'index',
  created: '2026-02-01T00:05:00Z',
  size: 3072,
  images: [
    {
      digest: `sha256:${'b'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'amd64' },
      size: 2048,
      created: '2026-02-01T00:00:00Z',
      layers: [
        {
          digest: `sha256:${'c'.repeat(64)}`,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          size: 1900,
        },
      ],
    },
    {
      digest: `sha256:${'d'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      size: 1024,
      layers: [],
    },
  ],
  running: [],
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

// usePermission keeps answers in SWR's cache, shared by every render of this
// file for 2 s: each render gets its own cache, so one test's "deny" cannot
// answer the next test's question.
function component(name: string, repositories?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      title: `${name} title`,
      ...(repositories
        ? { annotations: { 'opsdeck.io/image-repositories': repositories } }
        : {}),
    },
    spec: { type: 'service', owner: 'ops', lifecycle: 'production' },
  };
}

const catalog = catalogApiMock({
  entities: [
    component('shop-web', 'resource:default/harbor/shop/web'),
    component(
      'shop-bundle',
      'resource:default/harbor/infra/nginx, resource:default/HARBOR/shop/web',
    ),
    // the same path in another registry, and no annotation at all
    component('other', 'resource:default/quay/shop/web'),
    component('plain'),
  ],
});

function render(
  allowDelete: boolean,
  options: {
    language?: string;
    refusal?: Record<string, unknown>;
    route?: string;
    /** How the registry's repositories fail: the error body and its status. */
    browseError?: { error: Record<string, unknown>; status: number };
  } = {},
) {
  const calls: { method: string; url: string; body?: string }[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      calls.push({ method, url, body: init?.body as string });
      if (url.endsWith('/registries')) {
        return json({
          items: [
            {
              ref: 'resource:default/harbor',
              title: 'harbor',
              url: 'https://harbor.test/',
              authenticated: true,
            },
          ],
        });
      }
      if (url.includes('/repositories?')) {
        if (options.browseError) {
          const { error, status } = options.browseError;
          return json({ error, response: { statusCode: status } }, status);
        }
        return url.includes('last=')
          ? json({ items: ['shop/web'] })
          : json({ items: ['infra/nginx'], next: 'infra/nginx' });
      }
      if (url.includes('/tags/delete')) {
        const body = JSON.parse(init?.body as string);
        if (options.refusal) {
          return json(
            { error: options.refusal, response: { statusCode: 409 } },
            409,
          );
        }
        if (!body.confirmDigest) {
          return json(
            {
              error: {
                name: 'ConflictError',
                message: `Deleting shop/web:latest deletes ${INDEX}, which tags v2 point at too; confirm with confirmDigest=${INDEX}`,
                code: 'registry-digest-shared',
                image: 'shop/web:latest',
                digest: INDEX,
                tags: 'v2',
              },
              response: { statusCode: 409 },
            },
            409,
          );
        }
        return json({
          repository: 'shop/web',
          tag: 'latest',
          digest: INDEX,
          removedTags: ['latest', 'v2'],
          garbageCollection: 'Run registry garbage-collect.',
        });
      }
      if (url.includes('/tags?'))
        return json({ repository: 'shop/web', items: ['latest', 'v2'] });
      if (url.includes('/manifest?')) return json(manifest);
      return json({ error: { name: 'NotFoundError', message: url } }, 404);
    },
  );
  renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <RegistryPage />
    </SWRConfig>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({
          authorize: allowDelete ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
        mockApis.appLanguage({
          defaultLanguage: options.language ?? 'en',
          availableLanguages: ['en', 'zh-CN'],
        }),
        catalog,
      ],
      ...(options.route ? { initialRouteEntries: [options.route] } : {}),
    },
  );
  return calls;
}

async function openLatest() {
  await userEvent.click(await screen.findByRole('button', { name: 'More' }));
  await userEvent.click(await screen.findByText('shop/web'));
  await userEvent.click(await screen.findByText('latest'));
  await screen.findByText('Multi-platform index');
}

describe('registry page', () => {
  it('pages repositories, opens a tag and shows its images per platform; no delete without the permission', async () => {
    const calls = render(false);
    await openLatest();
    expect(screen.getByText('linux/amd64')).toBeInTheDocument();
    expect(screen.getByText('linux/arm64/v8')).toBeInTheDocument();
    expect(screen.getByText('3.0 KiB')).toBeInTheDocument();
    expect(screen.getByText('Not known to run anywhere.')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Delete tag' }),
    ).not.toBeInTheDocument();
    expect(calls.map(c => c.url)).toEqual([
      `${BASE}/api/registry/registries`,
      `${API}/repositories?limit=50`,
      `${API}/repositories?limit=50&last=infra%2Fnginx`,
      `${API}/tags?repository=shop%2Fweb&limit=50`,
      `${API}/manifest?repository=shop%2Fweb&reference=latest`,
    ]);
  });

  it('asks again before deleting a digest other tags share, then deletes them all', async () => {
    const calls = render(true);
    await openLatest();
    await userEvent.click(screen.getByRole('button', { name: 'Delete tag' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete' }),
    );
    expect(
      await screen.findByText(
        'Other tags point at this digest and will be deleted too. Delete them all?',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Delete all' }));
    await waitFor(() =>
      expect(
        screen.getByText(
          'Deleted shop/web:latest, shop/web:v2. Run registry garbage-collect.',
        ),
      ).toBeInTheDocument(),
    );
    expect(calls.filter(c => c.method === 'POST').map(c => c.body)).toEqual([
      JSON.stringify({ repository: 'shop/web', tag: 'latest' }),
      JSON.stringify({
        repository: 'shop/web',
        tag: 'latest',
        confirmDigest: INDEX,
      }),
    ]);
  });

  it('says a coded refusal of the delete in zh-CN, not the server’s English', async () => {
    render(true, {
      language: 'zh-CN',
      refusal: {
        name: 'ConflictError',
        message: `shop/web:latest (${INDEX}) is running on k8s-prod/shop/web-7d9; it is not deleted`,
        code: 'registry-image-running',
        image: 'shop/web:latest',
        places: 'k8s-prod/shop/web-7d9',
      },
    });
    await userEvent.click(await screen.findByRole('button', { name: '更多' }));
    await userEvent.click(await screen.findByText('shop/web'));
    await userEvent.click(await screen.findByText('latest'));
    await screen.findByText('多平台索引');
    await userEvent.click(screen.getByRole('button', { name: '删除标签' }));
    await userEvent.click(await screen.findByRole('button', { name: '删除' }));
    const alert = await screen.findByText(
      'shop/web:latest 正在 k8s-prod/shop/web-7d9 上运行，未删除',
    );
    expect(alert.textContent).not.toContain('is running');
  });

  it('says in zh-CN why a registry cannot be read (TLS, login refused, credential missing), not the server’s words', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [
        {
          name: 'Error',
          message: 'An internal error occurred (reference 0123456789abcdef)',
          code: 'registry-tls',
          registry: 'harbor.test',
          reason: 'CERT_HAS_EXPIRED',
          reference: '0123456789abcdef',
        },
        503,
        '与镜像仓库 harbor.test 的 TLS 握手失败（CERT_HAS_EXPIRED）：证书已过期、是自签名的或与域名不符，或它不支持 TLS',
      ],
      [
        {
          name: 'Error',
          message: 'An internal error occurred (reference 0123456789abcdef)',
          code: 'registry-login-refused',
          registry: 'harbor.test',
          answered: 401,
        },
        503,
        '镜像仓库 harbor.test 拒绝了 opsdeck 的登录（HTTP 401）：请检查该仓库在 Vault 中的凭据',
      ],
      [
        {
          name: 'ConflictError',
          message: "The registry's vault credential harbor-pull does not exist",
          code: 'registry-credential-missing',
          credential: 'harbor-pull',
        },
        409,
        '该镜像仓库的 Vault 凭据 harbor-pull 不存在，请管理员在 Vault 中添加',
      ],
    ];
    for (const [error, status, said] of cases) {
      render(false, { language: 'zh-CN', browseError: { error, status } });
      const alert = await screen.findByText(said);
      expect(alert.textContent).not.toMatch(/internal error|does not exist/);
      cleanup();
    }
  });
});

describe('registry page: components of a repository', () => {
  it('opens the repository a link names and lists the components that name it, from the catalog', async () => {
    const calls = render(false, {
      route: '/?registry=resource%3Adefault%2FHarbor&repository=shop%2Fweb',
    });
    const box = await screen.findByTestId('registry-repository-components');
    expect(within(box).getByText('Components that ship shop/web')).toBeTruthy();
    await waitFor(() =>
      expect(
        within(box)
          .getAllByRole('link')
          .map(a => [a.textContent, a.getAttribute('href')]),
      ).toEqual([
        ['shop-bundle title', '/catalog/default/component/shop-bundle'],
        ['shop-web title', '/catalog/default/component/shop-web'],
      ]),
    );
    expect(await screen.findByText('Tags of shop/web')).toBeInTheDocument();
    expect(calls.map(c => c.url)).toContain(
      `${API}/tags?repository=shop%2Fweb&limit=50`,
    );
  });

  it('says when no component names the repository', async () => {
    render(false);
    await userEvent.click(await screen.findByText('infra/nginx'));
    await userEvent.click(await screen.findByText('All repositories'));
    await userEvent.click(await screen.findByRole('button', { name: 'More' }));
    await userEvent.click(await screen.findByText('shop/web'));
    await screen.findByText('shop-web title');
    await userEvent.click(await screen.findByText('All repositories'));
    await userEvent.click(await screen.findByText('infra/nginx'));
    // infra/nginx is named by shop-bundle only
    const box = await screen.findByTestId('registry-repository-components');
    await waitFor(() =>
      expect(within(box).getAllByRole('link')).toHaveLength(1),
    );
  });
});

const digest = (c: string) => `sha256:${c.repeat(64)}`;

// eight tags of shop/web, in the registry's order (the card's backend ranks them)
const tagsOfWeb = [
  ['v8', '8', '2026-03-08T00:00:00Z'],
  ['v2', '2', '2026-03-02T00:00:00Z'],
  ['v7', '7', '2026-03-07T00:00:00Z'],
  ['old', '0', undefined],
  ['v6', '6', '2026-03-06T00:00:00Z'],
  ['v5', '5', '2026-03-05T00:00:00Z'],
  ['v4', '4', '2026-03-04T00:00:00Z'],
  ['v3', '3', '2026-03-03T00:00:00Z'],
].map(([tag, c, created]) => ({
  tag: tag!,
  digest: digest(c!),
  ...(created ? { created } : {}),
}));

function renderCard(
  annotation: string,
  options: { language?: string; allow?: boolean } = {},
) {
  const calls: { method: string; url: string; body?: string }[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const method = init?.method ?? 'GET';
      calls.push({ method, url: String(input), body: init?.body as string });
      const repository = url.searchParams.get('repository');
      if (url.pathname.endsWith('/recent-tags')) {
        if (repository === 'shop/huge') {
          return json(
            {
              error: {
                name: 'ConflictError',
                message:
                  'shop/huge has 9000 tags, more than opsdeck ranks by created time (2000)',
                code: 'registry-too-many-tags',
                repository: 'shop/huge',
                count: 9000,
                max: 2000,
              },
              response: { statusCode: 409 },
            },
            409,
          );
        }
        // the backend ranks: newest first, as many as asked
        const newest = [...tagsOfWeb]
          .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''))
          .slice(0, Number(url.searchParams.get('limit')));
        return json({
          repository,
          total: tagsOfWeb.length,
          items: newest.map(entry => ({
            ...entry,
            size: 1024 * Number(entry.digest.slice(-1)),
            running:
              entry.tag === 'v7'
                ? [
                    {
                      kind: 'pod',
                      where: 'k8s-prod/shop/web-7d9',
                      digest: entry.digest,
                    },
                  ]
                : [],
          })),
        });
      }
      return json({ error: { name: 'NotFoundError', message: url } }, 404);
    },
  );
  renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <EntityProvider entity={component('shop-web', annotation)}>
        <ImageRepositoriesCard />
      </EntityProvider>
    </SWRConfig>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({
          authorize:
            options.allow === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
        mockApis.appLanguage({
          defaultLanguage: options.language ?? 'en',
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
      mountedRoutes: { '/registry': registryRouteRef },
    },
  );
  return calls;
}

describe('image repositories card', () => {
  it('shows the newest tags of each linked repository with digest, created, size and where they run, and links to the browser', async () => {
    const calls = renderCard('resource:default/harbor/shop/web');
    const box = await screen.findByTestId(
      'image-repository-resource:default/harbor/shop/web',
    );
    await within(box).findByText('Newest 5 of 8 tags');
    const rows = within(box).getAllByRole('row').slice(1);
    expect(rows.map(r => r.querySelector('td')!.textContent)).toEqual([
      'v8',
      'v7',
      'v6',
      'v5',
      'v4',
    ]);
    expect(within(rows[0]).getByText('8.0 KiB')).toBeInTheDocument();
    expect(within(rows[0]).getByText(digest('8').slice(0, 19))).toBeTruthy();
    expect(
      within(rows[1]).getByText('Pod k8s-prod/shop/web-7d9'),
    ).toBeInTheDocument();
    expect(within(rows[0]).getByText('—')).toBeInTheDocument();
    expect(within(box).getByRole('link', { name: 'shop/web' })).toHaveAttribute(
      'href',
      '/registry?registry=resource%3Adefault%2Fharbor&repository=shop%2Fweb',
    );
    // one request: the backend ranks the tags (no dry run, no manifests)
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      `GET ${API}/recent-tags?repository=shop%2Fweb&limit=5`,
    ]);
  });

  it('shows a bad annotation entry as an error, a coded refusal in words, and the good entries still', async () => {
    renderCard(
      'harbor/shop/web, resource:default/harbor/shop/huge, resource:default/harbor/shop/web',
    );
    expect(
      await screen.findByText(
        '"harbor/shop/web" in opsdeck.io/image-repositories does not start with a registry ref: write resource:<namespace>/<name>/<repository>.',
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'shop/huge has 9000 tags, more than opsdeck checks (2000)',
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('Newest 5 of 8 tags')).toBeInTheDocument();
  });

  it('says the person has no access and asks the registry nothing without the read permission', async () => {
    const calls = renderCard('resource:default/harbor/shop/web', {
      allow: false,
    });
    expect(
      await screen.findByTestId('image-repositories-no-access'),
    ).toHaveTextContent(
      'You do not have permission to read image registries, so the repositories of this component are not shown.',
    );
    expect(calls).toEqual([]);
  });

  it('speaks zh-CN', async () => {
    renderCard(
      'resource:default/harbor/shop/web, resource:default/harbor/shop/web',
      {
        language: 'zh-CN',
      },
    );
    expect(
      await screen.findByText('最新的 5 个标签（共 8 个）'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        '“resource:default/harbor/shop/web” 在 opsdeck.io/image-repositories 中出现了两次。',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Pod k8s-prod/shop/web-7d9')).toBeInTheDocument();
  });
});
