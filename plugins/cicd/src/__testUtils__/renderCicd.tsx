import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  BuildDetail,
  BuildPage,
  GivenUpAlert,
  ListedCause,
  Timeline,
} from '@opsdeck/plugin-cicd-common';
import { SWRConfig } from 'swr';
import { CicdContent } from '../components/CicdContent';

export const BASE = 'http://example.test';
export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'jenkins.io/job-full-name': 'main:shop/web' },
  },
  spec: {},
};

export const page: BuildPage = {
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
    {
      job: '@intake:gitlab/shop/web:test',
      instance: 'gitlab',
      jobPath: 'shop/web:test',
      number: 12,
      result: 'FAILURE',
      timestamp: Date.UTC(2026, 11, 1),
      durationMillis: 40_000,
      url: 'https://gitlab.test/shop/web/-/jobs/12',
      branch: 'main',
      source: 'intake',
    },
  ],
  errors: [],
  more: false,
};

export const detail: BuildDetail = {
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

/** A build GitLab CI posted to the intake webhook. */
export const intakeDetail: BuildDetail = {
  ...detail,
  ...page.builds[1],
  stages: [],
};

const SHA = 'c0ffee1234567890abcdef1234567890abcdef12';
/** commit → build #45 → its image → a production deployment linked to #45. */
export const timeline: Timeline = {
  items: [
    { kind: 'commit', timestamp: Date.UTC(2026, 11, 2), commit: SHA },
    {
      kind: 'build',
      timestamp: Date.UTC(2026, 11, 2),
      commit: SHA,
      job: 'main:shop/web',
      number: 45,
      result: 'FAILURE',
      url: 'http://jenkins.test/job/shop/job/web/45/',
      source: 'jenkins',
    },
    {
      kind: 'artifact',
      timestamp: Date.UTC(2026, 11, 2, 0, 2),
      commit: SHA,
      job: 'main:shop/web',
      number: 45,
      name: 'registry.test/shop/web:1.4.2',
      digest: `sha256:${'ab'.repeat(32)}`,
    },
    {
      kind: 'artifact',
      timestamp: Date.UTC(2026, 11, 2, 0, 2),
      commit: SHA,
      job: 'main:shop/web',
      number: 45,
      name: 'web-1.4.2.tgz',
      path: 'dist/web-1.4.2.tgz',
    },
    {
      kind: 'deployment',
      timestamp: Date.UTC(2026, 11, 2, 1),
      commit: SHA,
      system: 'argocd',
      environment: 'production',
      version: '1.4.2',
      status: 'ROLLED_BACK',
      url: 'https://argocd.test/applications/shop',
      build: { job: 'main:shop/web', number: 45 },
    },
  ],
  errors: [],
};

export const givenUp: GivenUpAlert = {
  id: 5,
  status: 'given_up',
  jobKey: 'main:shop/web@component:default/shop',
  number: 45,
  owner: 'group:default/dev',
  title: 'Build failed: shop main:shop/web #45',
  attempts: 8,
  lastError: 'notifications backend unavailable',
  createdAt: Date.UTC(2026, 11, 2, 1),
  givenUpAt: Date.UTC(2026, 11, 2, 3),
};

export const builtIn: ListedCause = {
  id: 'typescript-compile',
  source: 'built-in',
  category: 'compile',
  title: { en: 'TypeScript compile error', 'zh-CN': 'TypeScript 编译错误' },
  patterns: ['error TS\\d+:'],
  weight: 85,
  runbook: 'https://runbooks.test/ts',
};
export const stored: ListedCause = {
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

/**
 * Renders the CI/CD tab against a fetch mock of the backend; every permission
 * is allowed or denied. usePermission keeps answers in SWR's cache for 2 s;
 * each render gets its own cache, so one test's answer cannot leak into the next.
 */
export function render(
  allowRebuild: boolean,
  options: {
    /** Permissions denied even when `allowRebuild` allows the rest. */
    deny?: string[];
    /** More rows of the given-up list (after `givenUp`). */
    givenUp?: GivenUpAlert[];
    /** The reader's language (English by default). */
    language?: 'zh-CN';
  } = {},
) {
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
      if (url.includes('/timeline?')) body = timeline;
      if (url.includes('job=%40intake')) body = intakeDetail;
      if (url.includes('/rebuild'))
        body = { job: 'main:shop/web', queueId: 101 };
      if (url.endsWith('/causes')) {
        body = init?.method === 'POST' ? stored : { items: [builtIn, stored] };
      }
      if (url.includes('/causes/user-')) body = stored;
      if (url.endsWith('/alerts/given-up')) {
        body = { items: [givenUp, ...(options.givenUp ?? [])] };
      }
      if (url.endsWith('/retry')) {
        body = { id: 5, job: givenUp.jobKey, number: 45, status: 'sent' };
      }
      if (url.includes('/artifact?')) {
        return new Response(new Uint8Array([0x1f, 0x8b]), {
          status: 200,
          headers: { 'Content-Type': 'application/octet-stream' },
        });
      }
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
          authorize: request =>
            allowRebuild && !options.deny?.includes(request.permission.name)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        }),
        ...(options.language
          ? [
              mockApis.appLanguage({
                defaultLanguage: options.language,
                availableLanguages: ['en', options.language],
              }),
            ]
          : []),
      ],
    },
  );
  return calls;
}
