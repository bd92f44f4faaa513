import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApiException,
  AppsV1Api,
  createConfiguration,
  ResponseContext,
  SelfDecodingBody,
  ServerConfiguration,
  wrapHttpLibrary,
  type RequestContext,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { kubeRequest } from './kubeRequest';

/**
 * The official Kubernetes client's `AppsV1Api` (`@kubernetes/client-node`:
 * its request building, its models and their deserialisation) for one
 * cluster and credential, sending every request through {@link kubeRequest}:
 * TLS always verified with the cluster's CA, no redirects, a timeout, a size
 * cap and the bearer token replaced in every answer (a refusal quoting it
 * reaches no error message). Only GETs are sent this way.
 */
export function appsApi(
  cluster: ClusterDetails,
  credential: KubernetesCredential,
): AppsV1Api {
  const base = new URL(cluster.url);
  const basePath = base.pathname.replace(/\/$/, '');
  const httpApi = wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const url = new URL(request.getUrl());
      if (url.origin !== base.origin || !url.pathname.startsWith(basePath)) {
        throw new Error(`A request outside cluster ${cluster.name}`);
      }
      if (request.getHttpMethod() !== 'GET') {
        throw new Error('Only reads go through the official client');
      }
      const answer = await kubeRequest(cluster, credential, {
        path: url.pathname.slice(basePath.length),
        query: Object.fromEntries(url.searchParams.entries()),
      });
      return new ResponseContext(
        answer.status,
        { 'content-type': answer.contentType || 'application/json' },
        new SelfDecodingBody(Promise.resolve(answer.body)),
      );
    },
  });
  return new AppsV1Api(
    createConfiguration({
      baseServer: new ServerConfiguration(`${base.origin}${basePath}`, {}),
      httpApi,
      // the credential is kubeRequest's to send: no auth method here
      authMethods: {},
    }),
  );
}

/** The error of a refused read, by its status; never the client's own message (it quotes the answer's headers). */
function refused(error: unknown, what: string): Error {
  if (!(error instanceof ApiException)) return error as Error;
  const body = error.body as { message?: unknown } | string | undefined;
  let detail: unknown = typeof body === 'object' ? body?.message : undefined;
  if (typeof body === 'string') {
    try {
      detail = JSON.parse(body)?.message;
    } catch {
      detail = undefined;
    }
  }
  const message = `${what}: the cluster answered ${error.code}${
    typeof detail === 'string' ? ` (${detail.slice(0, 300)})` : ''
  }`;
  if (error.code === 404) return new NotFoundError(message);
  if (error.code === 409) return new ConflictError(message);
  if (error.code === 400 || error.code === 422) return new InputError(message);
  return new Error(message);
}

/**
 * The ReplicaSets `deployment` controls (listed by its label selector in
 * its namespace, kept when a controller owner reference names its uid), as
 * the official client reads them.
 */
export async function ownedReplicaSets(
  cluster: ClusterDetails,
  credential: KubernetesCredential,
  target: { namespace: string; name: string },
  deployment: any,
): Promise<V1ReplicaSet[]> {
  const labelSelector = Object.entries(
    (deployment?.spec?.selector?.matchLabels ?? {}) as Record<string, string>,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!labelSelector) {
    throw new NotAllowedError(
      `${target.namespace}/${target.name} has no label selector to find its ReplicaSets by`,
    );
  }
  let items: V1ReplicaSet[];
  try {
    ({ items } = await appsApi(cluster, credential).listNamespacedReplicaSet({
      namespace: target.namespace,
      labelSelector,
    }));
  } catch (error) {
    throw refused(error, `List the ReplicaSets of ${target.name}`);
  }
  return items.filter(rs =>
    (rs.metadata?.ownerReferences ?? []).some(
      o => o.controller && o.uid === deployment?.metadata?.uid,
    ),
  );
}
