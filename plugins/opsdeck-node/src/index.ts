/**
 * Backend helpers shared by opsdeck's backend plugins: the request edge
 * (guard, principal, audited, rate limits), migrations, crash points and
 * leases.
 *
 * @packageDocumentation
 */
export { createPluginMigrations } from './migrations';
export { createOpsdeckDatabaseServiceFactory } from './databaseService';
export type { PluginMigrations } from './migrations';
export { crashPoint } from './crashPoint';
export { ACCESS_DENIED_EVENT, createRequestGuard } from './edge/RequestGuard';
export type { CallerCredentials, RequestGuard } from './edge/RequestGuard';
export { compileOperations, normalizeAccess } from './edge/access';
export type {
  Access,
  NormalizedAccess,
  OperationAccess,
  OperationKey,
  PrincipalType,
} from './edge/access';
export {
  createErrorHandler,
  isDevelopment,
  opsdeckRootHttpRouterServiceFactory,
  coded,
} from './edge/errorResponses';
export { audited } from './edge/audited';
export { createLazyValidatedOpenApiRouter } from './edge/openApiRouter';
export {
  opsdeckSchedulerServiceFactory,
  schedulerApiGuard,
} from './edge/scheduler';
export { markDenialAudited } from './edge/denials';
export type { AuditedEvent } from './edge/audited';
export {
  describePrincipal,
  isUserRef,
  ON_BEHALF_OF_HEADER,
  onBehalfOfHeaders,
  principalRef,
} from './edge/principal';
export type { PrincipalDescription } from './edge/principal';
export { isUniqueViolation } from './database';
export { entityOwnerRef, ownsEntity } from './edge/ownership';
export { createLeases } from './leases';
export type {
  LeaseCallOptions,
  LeaseCondition,
  Leases,
  LeasesOptions,
} from './leases';
export { backendInstanceName } from './instance';
export { userPermissionsServiceRef } from './userPermissions';
export type { UserPermissionsService } from './userPermissions';
export {
  createRateLimiter,
  rateLimitMigrations,
  RateLimitedError,
} from './rateLimits';
export type { RateCall, RateDecision, RateLimiter } from './rateLimits';
