/**
 * opsdeck's module of the Kubernetes backend (`@backstage/plugin-kubernetes-backend`):
 * clusters from catalog resources with service-account tokens from the
 * vault, a read-only proxy, and audited workload actions.
 *
 * @packageDocumentation
 */
export { kubernetesModuleOpsdeck as default } from './module';
export {
  API_SERVER_ANNOTATION,
  CLUSTER_RESOURCE_TYPE,
  TOKEN_CREDENTIAL_ANNOTATION,
} from './model';
