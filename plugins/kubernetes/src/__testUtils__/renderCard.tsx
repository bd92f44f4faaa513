import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SWRConfig } from 'swr';
import { WorkloadActionsCard } from '../components/WorkloadActionsCard';

export const BASE = 'http://example.test';
export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments-api',
      'backstage.io/kubernetes-namespace': 'payments',
    },
  },
  spec: {},
};

/** What the kubernetes backend answers for the component (its API's shapes). */
export const objects = {
  items: [
    {
      cluster: { name: 'k8s-prod', title: 'Prod cluster' },
      errors: [],
      podMetrics: [],
      resources: [
        {
          type: 'deployments',
          resources: [
            {
              metadata: { name: 'payments-api', namespace: 'payments' },
              spec: { replicas: 2 },
              status: { readyReplicas: 2 },
            },
          ],
        },
        {
          type: 'pods',
          resources: [
            {
              metadata: {
                name: 'payments-api-7d9f-abcde',
                namespace: 'payments',
              },
              spec: { containers: [{ name: 'api' }] },
              status: {
                phase: 'Running',
                containerStatuses: [{ name: 'api', restartCount: 1 }],
              },
            },
          ],
        },
      ],
    },
  ],
};

export type Call = {
  method: string;
  url: string;
  body?: any;
  headers?: Record<string, string>;
};

/**
 * Renders the workload actions card against a fetch mock of the kubernetes
 * backend: `answer` decides each action's response; permissions named in
 * `allowed` are allowed, every other one denied.
 */
export function renderCard(options: {
  allowed: string[];
  answer?: (call: Call) => { status: number; body: unknown };
  /** Milliseconds between reads of a rollout being followed. */
  rolloutPollMs?: number;
}) {
  const calls: Call[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const call: Call = {
        method: init?.method ?? 'GET',
        url: String(input),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        headers: init?.headers as Record<string, string>,
      };
      calls.push(call);
      if (call.url.includes('/proxy/')) {
        return new Response('line 1\nline 2\n', {
          status: 200,
          headers: { 'Content-Type': 'text/plain' },
        });
      }
      const { status, body } = options.answer?.(call) ?? {
        status: 200,
        body: {},
      };
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  );
  renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <EntityProvider entity={entity}>
        <WorkloadActionsCard rolloutPollMs={options.rolloutPollMs} />
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
            options.allowed.includes(request.permission.name)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        }),
        [
          kubernetesApiRef,
          {
            getClusters: async () => [
              { name: 'k8s-prod', authProvider: 'serviceAccount' },
            ],
            getObjectsByEntity: async () => objects,
          } as any,
        ],
        [
          kubernetesAuthProvidersApiRef,
          {
            decorateRequestBodyForAuth: async (_: string, b: unknown) => b,
          } as any,
        ],
      ],
    },
  );
  return calls;
}
