import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_DASHBOARD_URL,
} from '@backstage/plugin-kubernetes-common';

/** `spec.type` of a catalog Resource that describes a Kubernetes cluster. */
export const CLUSTER_RESOURCE_TYPE = 'kubernetes-cluster';

/** The cluster's API server URL (https; http only on loopback). */
export const API_SERVER_ANNOTATION = ANNOTATION_KUBERNETES_API_SERVER;

/** Optional base64 PEM of the API server's certificate authority. */
export const API_SERVER_CA_ANNOTATION = ANNOTATION_KUBERNETES_API_SERVER_CA;

/** Optional link to the cluster's dashboard. */
export const DASHBOARD_URL_ANNOTATION = ANNOTATION_KUBERNETES_DASHBOARD_URL;

/**
 * Name of the vault credential (type password: the password is the
 * service-account token) that opsdeck uses for this cluster.
 */
export const TOKEN_CREDENTIAL_ANNOTATION = 'opsdeck.io/kubernetes-credential';

/**
 * Key of opsdeck's strategy in the kubernetes backend's auth strategy map:
 * `serviceAccount`, the key the kubernetes frontend knows as a server-side
 * provider (it adds nothing to requests). The strategy behind it is
 * opsdeck's (tokens from the vault), the only one registered.
 */
export const AUTH_PROVIDER = 'serviceAccount';

/** The vault use under which cluster tokens are taken out. */
export const TOKEN_USE = 'kubernetes-token' as const;

/**
 * Keys of the cluster's `authMetadata` that opsdeck's strategy reads: the
 * credential's name and the cluster resource it is taken out for (none of
 * them secret; the strategy presents none of them to the browser).
 */
export const AUTH_META = {
  credential: 'opsdeck.io/credential',
  ref: 'opsdeck.io/cluster-ref',
  owner: 'opsdeck.io/cluster-owner',
  system: 'opsdeck.io/cluster-system',
  environment: 'opsdeck.io/cluster-environment',
} as const;

/** Environments whose workloads need the stricter `opsdeck.kubernetes.prod.*` permission to change. */
export const PROD_ENVIRONMENTS = ['prod', 'production'];
