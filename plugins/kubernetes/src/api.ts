import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';
import {
  isApprovalRequired,
  type ApprovalAsk,
  type ChangeApprovalTicket,
} from '@opsdeck/plugin-tickets-react';

/** The workload named by an action (the module's request body). */
export interface WorkloadTarget {
  entityRef: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** What an action answered. */
export type ActionOutcome =
  | { kind: 'done'; body: Record<string, unknown> }
  | { kind: 'approvalRequired'; message: string }
  | { kind: 'requested'; ticket: ChangeApprovalTicket };

export type ActionName = 'restart' | 'scale' | 'delete' | 'deploy' | 'rollback';

/** What an action sends besides its target (and the approval ask). */
export interface ActionExtra {
  replicas?: number;
  /** deploy: the container whose image is set. */
  container?: string;
  /** deploy: `host/repository:tag@sha256:…`, pinned to the digest shown. */
  image?: string;
  /** rollback: the revision it goes back to. */
  toRevision?: number;
  /** deploy, rollback: 0, the tab follows the rollout itself. */
  watchSeconds?: number;
}

/** Where a deployment's rollout is (the module's `GET /deployments/rollout`). */
export interface RolloutSnapshot {
  state: 'progressing' | 'complete' | 'failed';
  /** `kubectl rollout status`'s message (English, from the server). */
  message: string;
  revision?: string;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  newReplicaSet?: string;
  conditions: {
    type: string;
    status: string;
    reason?: string;
    message?: string;
  }[];
}

const PATHS: Record<ActionName, string> = {
  restart: '/deployments/restart',
  scale: '/deployments/scale',
  delete: '/pods/delete',
  deploy: '/deployments/image',
  rollback: '/deployments/rollback',
};

/**
 * The most bytes the module's read-only log proxy passes on (its answers
 * are capped at 16 MiB): a download asks the API server for at most this.
 */
export const LOG_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * An error answer's message (Backstage's error shape) or the status: in the
 * display language when the answer carries opsdeck's error code.
 */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    if (typeof body?.error?.message === 'string')
      return serverErrorMessage({ body });
  } catch {
    // not JSON: the status says it
  }
  return `${res.status} ${res.statusText}`.trim();
}

/**
 * An error answer as an Error: its message as {@link errorMessage} says it,
 * and the answer's body (its `error.code` and details) for a component that
 * says a code of this plugin in the reader's language (`serverErrorMessage`
 * with the plugin's texts).
 */
export async function responseError(res: Response): Promise<Error> {
  const text = await res
    .clone()
    .text()
    .catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return Object.assign(new Error(await errorMessage(res)), { body });
}

/**
 * opsdeck's workload actions (`/api/kubernetes/opsdeck`) and the read-only
 * log proxy (`/api/kubernetes/proxy`) of the kubernetes backend module.
 */
export class KubernetesActionsClient {
  constructor(
    private readonly discovery: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async run(
    action: ActionName,
    target: WorkloadTarget,
    extra: ActionExtra & ApprovalAsk = {},
  ): Promise<ActionOutcome> {
    const base = await this.discovery.getBaseUrl('kubernetes');
    const res = await this.fetchApi.fetch(`${base}/opsdeck${PATHS[action]}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...target, ...extra }),
    });
    if (res.status === 202) {
      const body = await res.json();
      return { kind: 'requested', ticket: body.approvalTicket };
    }
    if (res.ok) return { kind: 'done', body: await res.json() };
    if (res.status === 403) {
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const message = body?.error?.message ?? `${res.status}`;
      if (isApprovalRequired(body)) {
        return { kind: 'approvalRequired', message };
      }
      throw new Error(message);
    }
    throw await responseError(res);
  }

  /** Where the rollout of a deployment is now. */
  async rollout(target: WorkloadTarget): Promise<RolloutSnapshot> {
    const base = await this.discovery.getBaseUrl('kubernetes');
    const query = new URLSearchParams({ ...target });
    const res = await this.fetchApi.fetch(
      `${base}/opsdeck/deployments/rollout?${query}`,
    );
    if (!res.ok) throw await responseError(res);
    return res.json();
  }

  /** A container's log (current or previous container), as text. */
  async log(options: {
    cluster: string;
    namespace: string;
    pod: string;
    container: string;
    previous: boolean;
  }): Promise<Blob> {
    const base = await this.discovery.getBaseUrl('kubernetes');
    const query = new URLSearchParams({
      container: options.container,
      limitBytes: String(LOG_LIMIT_BYTES),
    });
    if (options.previous) query.set('previous', 'true');
    const res = await this.fetchApi.fetch(
      `${base}/proxy/api/v1/namespaces/${encodeURIComponent(
        options.namespace,
      )}/pods/${encodeURIComponent(options.pod)}/log?${query}`,
      { headers: { 'Backstage-Kubernetes-Cluster': options.cluster } },
    );
    if (!res.ok) throw await responseError(res);
    return res.blob();
  }
}

/** `pod-container(-previous)-<timestamp>.log`, the timestamp safe in a file name. */
export function logFileName(
  pod: string,
  container: string,
  previous: boolean,
  now: Date,
): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${pod}-${container}${previous ? '-previous' : ''}-${stamp}.log`;
}
