import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  BuildDetail,
  BuildPage,
  ListedCause,
} from '@opsdeck/plugin-cicd-common';
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

const builtIn: ListedCause = {
  id: 'typescript-compile',
  source: 'built-in',
  category: 'compile',
  title: { en: 'TypeScript compile error', 'zh-CN': 'TypeScript 编译错误' },
  patterns: ['error TS\\d+:'],
  weight: 85,
  runbook: 'https://runbooks.test/ts',
};
const stored: ListedCause = {
  id: 'user-1',
  source: 'stored',
  category: 'compile',
  title: { en: 'Strict tsc', 'zh-CN': 'Strict tsc' },
  patterns: ['\\+ tsc --noEmit index\\.ts'],
  weight: 90,
  runbook: '',
  createdBy: 'user:default/dave',
  createdAt: '2026-12-03T07:30:00.000Z',
};

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
      if (url.endsWith('/causes')) {
        body = init?.method === 'POST' ? stored : { items: [builtIn, stored] };
      }
      if (url.includes('/causes/user-')) body = stored;
      if (url.endsWith('/causes/try')) {
        const { cause } = JSON.parse(String(init?.body));
        // the dialog sends the console lines in order: line 20 is the first
        body = {
          lines: cause.patterns[0].includes('tsc') ? [1] : [],
          tests: [],
        };
      }
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  );
  renderInTestApp(
    <EntityProvider entity={entity}>
      <CicdContent />
    </EntityProvider>,
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
      `${BASE}/api/cicd/causes`,
      `${BASE}/api/cicd/entities/component/default/shop/build?job=main%3Ashop%2Fweb&number=45`,
    ]);
    // without cicd.cause.manage: no adding, no picking lines
    expect(
      screen.queryByRole('button', { name: 'Add a cause' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Pick line 20' }),
    ).not.toBeInTheDocument();
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

  it('lists stored causes; delete only with the permission', async () => {
    render(false);
    const row = await screen.findByTestId('cicd-stored-cause');
    expect(row).toHaveTextContent('Strict tsc');
    expect(row).toHaveTextContent('user:default/dave');
    expect(screen.queryByText('TypeScript compile error')).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Delete cause Strict tsc' }),
    ).not.toBeInTheDocument();
  });

  it('deletes a stored cause', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete cause Strict tsc' }),
    );
    await waitFor(() =>
      expect(calls.find(c => c.method === 'DELETE')).toEqual({
        method: 'DELETE',
        url: `${BASE}/api/cicd/causes/user-1`,
        body: undefined,
      }),
    );
  });

  it('adds a cause from a picked console line, tried live against the build', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Pick line 20' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add a cause' }));
    const patterns = await screen.findByRole('textbox', {
      name: /Patterns \(RE2, one per line\)/,
    });
    expect(patterns).toHaveValue('\\+ tsc --noEmit index\\.ts');
    expect(
      await screen.findByText("Matches 1 of this build's console lines: 20"),
    ).toBeInTheDocument();
    const tried = calls.find(c => c.url.endsWith('/causes/try'))!;
    expect(JSON.parse(tried.body!)).toEqual({
      cause: { patterns: ['\\+ tsc --noEmit index\\.ts'] },
      log: detail.excerpt.map(l => l.text).join('\n'),
    });
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await userEvent.type(
      screen.getByRole('textbox', { name: /^Name/ }),
      'Strict tsc',
    );
    await userEvent.click(save);
    await waitFor(() =>
      expect(
        screen.getByText(
          'Cause "Strict tsc" added; the build was located again.',
        ),
      ).toBeInTheDocument(),
    );
    const post = calls.find(
      c => c.method === 'POST' && c.url.endsWith('/causes'),
    )!;
    expect(JSON.parse(post.body!)).toEqual({
      name: 'Strict tsc',
      category: 'compile',
      patterns: ['\\+ tsc --noEmit index\\.ts'],
    });
    // the build is read again, so the new cause shows among its causes
    await waitFor(() =>
      expect(calls.filter(c => c.url.includes('/build?')).length).toBe(2),
    );
  });

  it("starts from the likeliest cause's line and says when nothing matches", async () => {
    render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add a cause' }),
    );
    const patterns = await screen.findByRole('textbox', {
      name: /Patterns/,
    });
    // the default is the likeliest cause's first line (21)
    expect(patterns).toHaveValue(
      "index\\.ts\\(2,3\\): error TS2322: Type 'string' is not assignable",
    );
    await userEvent.clear(patterns);
    await userEvent.type(patterns, 'nothing here');
    expect(
      await screen.findByText('No console line of this build matches.'),
    ).toBeInTheDocument();
  });
});
