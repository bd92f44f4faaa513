import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import type { ManifestSummary } from '@opsdeck/plugin-registry-common';
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
function render(
  allowDelete: boolean,
  options: {
    language?: string;
    refusal?: Record<string, unknown>;
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
      ],
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
