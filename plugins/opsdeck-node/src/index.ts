/**
 * Backend helpers shared by opsdeck's backend plugins.
 *
 * @packageDocumentation
 */
export { createPluginMigrations } from './migrations';
export type { PluginMigrations } from './migrations';
export { crashPoint } from './crashPoint';
export { isUniqueViolation } from './database';
export { backendInstanceName } from './instance';
export { userPermissionsServiceRef } from './userPermissions';
export type { UserPermissionsService } from './userPermissions';
