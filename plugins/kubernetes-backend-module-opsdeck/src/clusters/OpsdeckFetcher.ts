import type {
  FetchResponse,
  KubernetesErrorTypes,
  KubernetesFetchError,
} from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails,
  FetchResponseWrapper,
  KubernetesCredential,
  KubernetesFetcher,
  ObjectFetchParams,
  ObjectToFetch,
} from '@backstage/plugin-kubernetes-node';
import { tokenError } from './caller';
import { kubeRequest, resourcePath } from './kubeRequest';

function errorType(status: number): KubernetesErrorTypes {
  const types: Record<number, KubernetesErrorTypes> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHORIZED_ERROR',
    404: 'NOT_FOUND',
    500: 'SYSTEM_ERROR',
  };
  return types[status] ?? 'UNKNOWN_ERROR';
}

/** The annotation where `kubectl apply` keeps the whole applied manifest. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function redacted(items: any[]): any[] {
  const mask = (data: unknown) =>
    data && typeof data === 'object'
      ? Object.fromEntries(Object.keys(data).map(k => [k, '***']))
      : data;
  return items.map(item => ({
    ...item,
    ...(item?.metadata?.annotations?.[LAST_APPLIED] !== undefined
      ? {
          metadata: {
            ...item.metadata,
            annotations: {
              ...item.metadata.annotations,
              [LAST_APPLIED]: '***',
            },
          },
        }
      : {}),
    ...(item.data ? { data: mask(item.data) } : {}),
    ...(item.stringData ? { stringData: mask(item.stringData) } : {}),
  }));
}

/**
 * The kubernetes backend's fetcher, spoken over plain HTTPS with
 * `node:https` and the credential of opsdeck's auth strategy: one list call
 * per object type (cluster-wide or in the component's namespace, with the
 * component's label selector), as the backend's default fetcher makes them.
 * The default fetcher loads `@kubernetes/client-node` (an ES module) with a
 * dynamic import on every call, which the repository's jest setup cannot run
 * (see the README); this one has no such import. Pod metrics (metrics-server)
 * are not fetched: opsdeck's clusters skip the metrics lookup.
 */
export class OpsdeckFetcher implements KubernetesFetcher {
  async fetchObjectsForService(
    params: ObjectFetchParams,
  ): Promise<FetchResponseWrapper> {
    if (params.credential.type === 'anonymous') {
      // The vault gave no token for this caller: this cluster's error.
      const name = params.clusterDetails.name;
      return {
        errors: [
          {
            errorType: 'FETCH_ERROR',
            message: `No token for cluster ${name}: ${
              tokenError(name) ?? 'none was issued'
            }`,
          },
        ],
        responses: [],
      };
    }
    const objects: ObjectToFetch[] = [
      ...Array.from(params.objectTypesToFetch),
      ...params.customResources,
    ];
    const results = await Promise.all(
      objects.map(object =>
        this.fetchList(
          params.clusterDetails,
          params.credential,
          object,
          params.namespace,
          params.labelSelector,
        ),
      ),
    );
    const wrapper: FetchResponseWrapper = { errors: [], responses: [] };
    for (const result of results) {
      if ('error' in result) wrapper.errors.push(result.error);
      else wrapper.responses.push(result.response);
    }
    return wrapper;
  }

  async fetchPodMetricsByNamespaces(): Promise<FetchResponseWrapper> {
    return { errors: [], responses: [] };
  }

  private async fetchList(
    cluster: ClusterDetails,
    credential: KubernetesCredential,
    object: ObjectToFetch,
    namespace: string | undefined,
    labelSelector: string | undefined,
  ): Promise<{ response: FetchResponse } | { error: KubernetesFetchError }> {
    const path = resourcePath(
      object.group,
      object.apiVersion,
      object.plural,
      namespace,
    );
    let answer;
    try {
      answer = await kubeRequest(cluster, credential, {
        path,
        query: labelSelector ? { labelSelector } : {},
      });
    } catch (error) {
      return {
        error: { errorType: 'FETCH_ERROR', message: (error as Error).message },
      };
    }
    if (answer.status !== 200) {
      return {
        error: {
          errorType: errorType(answer.status),
          statusCode: answer.status,
          resourcePath: path,
        },
      };
    }
    let list: { kind?: string; items?: unknown };
    try {
      list = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return {
        error: {
          errorType: 'FETCH_ERROR',
          message: `Cluster ${cluster.name} answered ${path} with no JSON`,
        },
      };
    }
    const items = Array.isArray(list.items) ? list.items : [];
    const kind =
      typeof list.kind === 'string'
        ? list.kind.replace(/List$/, '')
        : undefined;
    // A secret's values never leave the backend, however it was asked for:
    // the body of a custom-resources query may name the core group's
    // `secrets` as a "custom resource".
    const secrets =
      object.objectType === 'secrets' ||
      kind === 'Secret' ||
      (!object.group && object.plural.toLocaleLowerCase('en-US') === 'secrets');
    const resources = secrets ? redacted(items) : items;
    if (object.objectType === 'customresources') {
      return {
        response: {
          type: 'customresources',
          resources: resources.map(item => ({ ...item, kind })),
        },
      };
    }
    return {
      response: { type: object.objectType, resources } as FetchResponse,
    };
  }
}
