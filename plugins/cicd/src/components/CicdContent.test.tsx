import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import type { BuildDetail, BuildPage } from '@opsdeck/plugin-cicd-common';
import { CicdContent } from './CicdContent';

const BASE = 'http://example.test';
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'jenkins.io/job-full-name': 'main:shop/web' },
  },
  spec: {},
};

const page: BuildPage = {
  builds: [
    {
      job: 'main:shop/web',
      instance: 'main',
      jobPath: 'shop/web',
      number: 45,
      result: 'FAILURE',
      timestamp: Date.UTC(2026, 11, 2),
      durationMillis: 95_000,
      url: 'http://jenkins.test/job/shop/job/web/45/',
    },
  ],
  errors: [],
  more: false,
};

const detail: BuildDetail = {
  ...page.builds[0],
  stages: [
    { name: 'Build', status: 'FAILED', durationMillis: 1000 },
    { name: 'Deploy', status: 'NOT_EXECUTED', durationMillis: 0 },
  ],
  located: {
    causes: [
      {
        id: 'typescript-compile',
        category: 'compile',
        title: {
          en: 'TypeScript compile error',
          'zh-CN': 'TypeScript 编译错误',
        },
        runbook: 'https://runbooks.test/ts',
        score: 95,
        lines: [21],
        tests: [],
        stage: 'Build',
      },
    ],
    failingStage: 'Build',
    firstLine: 1,
    linesScanned: 30,
    truncated: false,
  },
  excerpt: [
    { line: 20, text: '+ tsc --noEmit index.ts' },
    {
      line: 21,
      text: "index.ts(2,3): error TS2322: Type 'string' is not assignable",
    },
    { line: 22, text: '[Pipeline] }' },
  ],
};

// usePermission keeps answers in SWR's cache, shared by every render of this
// file for 2 s: each render gets its own cache, so one test's "deny" cannot
// answer the next test's question.
function render(allowRebuild: boolean) {
  const calls: { method: string; url: string; body?: string }[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({
        method: init?.method ?? 'GET',
        url,
        body: init?.body as string,
      });
      let body: unknown = detail;
      if (url.includes('/builds?')) body = page;
      if (url.includes('/rebuild'))
        body = { job: 'main:shop/web', queueId: 101 };
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  );
  renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <EntityProvider entity={entity}>
        <CicdContent />
      </EntityProvider>
    </SWRConfig>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({
          authorize: allowRebuild
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        }),
      ],
    },
  );
  return calls;
}

describe('CI/CD tab', () => {
  it('lists builds and shows a failed build with its cause highlighted', async () => {
    const calls = render(false);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    expect(
      await screen.findByText('TypeScript compile error'),
    ).toBeInTheDocument();
    expect(screen.getByText('Compile')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Runbook' })).toHaveAttribute(
      'href',
      'https://runbooks.test/ts',
    );
    const highlighted = screen
      .getByTestId('cicd-console')
      .querySelectorAll('[data-highlighted="true"]');
    expect([...highlighted].map(e => e.getAttribute('data-line'))).toEqual([
      '21',
    ]);
    expect(screen.getByText('Failing stage: Build')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Rebuild' }),
    ).not.toBeInTheDocument();
    expect(calls.map(c => c.url)).toEqual([
      `${BASE}/api/cicd/entities/component/default/shop/builds?page=0&limit=20`,
      `${BASE}/api/cicd/entities/component/default/shop/build?job=main%3Ashop%2Fweb&number=45`,
    ]);
  });

  it('rebuilds when the person may', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Rebuild' }),
    );
    await waitFor(() =>
      expect(
        screen.getByText('Queued on Jenkins (queue item 101).'),
      ).toBeInTheDocument(),
    );
    expect(calls.find(c => c.method === 'POST')).toEqual({
      method: 'POST',
      url: `${BASE}/api/cicd/entities/component/default/shop/rebuild`,
      body: JSON.stringify({ job: 'main:shop/web', number: 45 }),
    });
  });
});
