/**
 * opsdeck's permission policy: roles mapped from catalog groups.
 *
 * @packageDocumentation
 */
export { permissionModuleOpsdeckPolicy as default } from './module';
export { OpsdeckPermissionPolicy, isMutatingPermission } from './policy';
export type { OpsdeckPermissionPolicyOptions } from './policy';
export {
  readOpsdeckPolicyConfig,
  normalizeEntityRef,
  type OpsdeckPolicyConfig,
} from './config';
export {
  ANY_USER,
  BACKSTAGE_DEFAULT_GRANT,
  BACKSTAGE_PREFIX_GRANTS,
  PERMISSION_GRANTS,
  type Grant,
} from './grants';
export { userPermissionsServiceFactory } from './userPermissions';
