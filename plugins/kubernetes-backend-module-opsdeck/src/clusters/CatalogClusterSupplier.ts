import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { secretTargetOf } from '@opsdeck/plugin-vault-node';
import {
  API_SERVER_ANNOTATION,
  API_SERVER_CA_ANNOTATION,
  AUTH_META,
  AUTH_PROVIDER,
  CLUSTER_RESOURCE_TYPE,
  DASHBOARD_URL_ANNOTATION,
  TOKEN_CREDENTIAL_ANNOTATION,
} from '../model';

/** Loopback hosts, the only ones reached over plain http (test fixtures, kubectl proxy). */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The API server URL of a cluster resource, or a reason it is refused:
 * https (http only on loopback), no user info, query or fragment.
 */
export function apiServerUrl(
  value: unknown,
): { url: string } | { error: string } {
  if (typeof value !== 'string' || !value.trim()) {
    return { error: `no ${API_SERVER_ANNOTATION} annotation` };
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { error: `${API_SERVER_ANNOTATION} is not a URL` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return {
      error: `${API_SERVER_ANNOTATION} may not carry user info, a query or a fragment`,
    };
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))
  ) {
    return {
      error: `${API_SERVER_ANNOTATION} must be https (http only on loopback)`,
    };
  }
  return { url: url.toString().replace(/\/$/, '') };
}

/** The name the kubernetes plugin knows a cluster resource by. */
export function clusterName(entity: Entity): string {
  const namespace = entity.metadata.namespace ?? 'default';
  return namespace === 'default'
    ? entity.metadata.name
    : `${namespace}.${entity.metadata.name}`;
}

/**
 * The cluster details of a catalog resource (`kind: Resource`,
 * `spec.type: kubernetes-cluster`), or a reason it cannot be used. The token
 * is not part of them: {@link VaultTokenStrategy} takes it out of the vault
 * at each use; `authMetadata` names the credential and the resource.
 */
export function clusterFromEntity(
  entity: Entity,
): { cluster: ClusterDetails } | { error: string } {
  const annotations = entity.metadata.annotations ?? {};
  const server = apiServerUrl(annotations[API_SERVER_ANNOTATION]);
  if ('error' in server) return server;
  const credential = annotations[TOKEN_CREDENTIAL_ANNOTATION]?.trim();
  if (!credential) {
    return { error: `no ${TOKEN_CREDENTIAL_ANNOTATION} annotation` };
  }
  const target = secretTargetOf(entity);
  const authMetadata: Record<string, string> = {
    [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: AUTH_PROVIDER,
    [AUTH_META.credential]: credential,
    [AUTH_META.ref]: target.ref,
  };
  if (target.owner) authMetadata[AUTH_META.owner] = target.owner;
  if (target.system) authMetadata[AUTH_META.system] = target.system;
  if (target.environment) {
    authMetadata[AUTH_META.environment] = target.environment;
  }
  const cluster: ClusterDetails = {
    name: clusterName(entity),
    title: entity.metadata.title ?? entity.metadata.name,
    url: server.url,
    authMetadata,
    // TLS verification is never turned off for a catalog cluster.
    skipTLSVerify: false,
    // opsdeck's fetcher reads no metrics-server (see OpsdeckFetcher).
    skipMetricsLookup: true,
  };
  const ca = annotations[API_SERVER_CA_ANNOTATION]?.trim();
  if (ca) cluster.caData = ca;
  const dashboard = annotations[DASHBOARD_URL_ANNOTATION]?.trim();
  if (dashboard && /^https?:\/\//.test(dashboard)) {
    cluster.dashboardUrl = dashboard;
  }
  return { cluster };
}

/**
 * Clusters from the catalog, read with the caller's credentials at each
 * request: a person only reaches the clusters whose resources they can see.
 */
export class CatalogClusterSupplier implements KubernetesClustersSupplier {
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      logger: LoggerService;
    },
  ) {}

  async getClusters(options: {
    credentials: BackstageCredentials;
  }): Promise<ClusterDetails[]> {
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: 'resource', 'spec.type': CLUSTER_RESOURCE_TYPE } },
      { credentials: options.credentials },
    );
    const clusters: ClusterDetails[] = [];
    const names = new Set<string>();
    for (const entity of items) {
      const result = clusterFromEntity(entity);
      if ('error' in result) {
        this.warnOnce(stringifyEntityRef(entity), result.error);
        continue;
      }
      if (names.has(result.cluster.name)) continue;
      names.add(result.cluster.name);
      clusters.push(result.cluster);
    }
    return clusters.sort((a, b) => a.name.localeCompare(b.name, 'en-US'));
  }

  private warnOnce(ref: string, reason: string) {
    const key = `${ref}|${reason}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(`Kubernetes cluster ${ref} is skipped: ${reason}`);
  }
}
