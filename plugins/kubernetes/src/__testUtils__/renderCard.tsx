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
export const DIGEST_NEW = `sha256:${'b'.repeat(64)}`;
export const DIGEST_OLD = `sha256:${'a'.repeat(64)}`;
const DEPLOYMENT_UID = 'd-1';

/** A ReplicaSet of the deployment at a revision, running `image`. */
function replicaSet(revision: number, image: string, owner = DEPLOYMENT_UID) {
  return {
    metadata: {
      name: `payments-api-rs${revision}`,
      namespace: 'payments',
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', uid: owner }],
    },
    spec: { template: { spec: { containers: [{ name: 'api', image }] } } },
  };
}

/** What the registry plugin answers (its API's shapes). */
function registryAnswer(url: string): unknown {
  if (url.endsWith('/api/registry/registries')) {
    return {
      items: [
        {
          ref: 'resource:default/demo-registry',
          title: 'Demo registry',
          url: 'http://registry.test:5000',
          authenticated: false,
        },
      ],
    };
  }
  return {
    repository: 'shop/payments-api',
    total: 2,
    items: [
      {
        tag: '1.9.0',
        digest: DIGEST_NEW,
        created: '2026-12-01T10:00:00Z',
        size: 1000,
        running: [],
      },
      {
        tag: '1.8.0',
        digest: DIGEST_OLD,
        created: '2026-11-01T10:00:00Z',
        size: 1000,
        running: [],
      },
    ],
  };
}
export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments-api',
      'backstage.io/kubernetes-namespace': 'payments',
      'opsdeck.io/image-repositories':
        'resource:default/demo-registry/shop/payments-api',
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
              metadata: {
                name: 'payments-api',
                namespace: 'payments',
                uid: DEPLOYMENT_UID,
                annotations: { 'deployment.kubernetes.io/revision': '3' },
              },
              spec: {
                replicas: 2,
                template: {
                  spec: {
                    containers: [
                      {
                        name: 'api',
                        image: `registry.test:5000/shop/payments-api@${DIGEST_OLD}`,
                      },
                    ],
                  },
                },
              },
              status: { readyReplicas: 2 },
            },
          ],
        },
        {
          // another deployment's revision 2, and revisions 1-3 of this one
          type: 'replicasets',
          resources: [
            replicaSet(2, 'elsewhere/other:1', 'other-uid'),
            replicaSet(1, 'registry.test:5000/shop/payments-api:1.7.0'),
            replicaSet(2, 'registry.test:5000/shop/payments-api:1.8.0'),
            replicaSet(3, `registry.test:5000/shop/payments-api@${DIGEST_OLD}`),
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
  /** Milliseconds between reads of the workloads. */
  objectsPollMs?: number;
  /** The workloads each read answers (default: {@link objects}). */
  readObjects?: () => unknown;
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
      if (call.url.includes('/api/registry/')) {
        return new Response(JSON.stringify(registryAnswer(call.url)), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
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
        <WorkloadActionsCard
          rolloutPollMs={options.rolloutPollMs}
          objectsPollMs={options.objectsPollMs}
        />
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
            getObjectsByEntity: async () => options.readObjects?.() ?? objects,
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
