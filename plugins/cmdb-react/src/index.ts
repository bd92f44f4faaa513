/**
 * opsdeck's host selection for every frontend feature: `HostSelectorField`
 * (cmdb-common's `HostSelector`, values from the catalog, a live
 * "N hosts match" preview from the CMDB's host index for the signed-in user).
 *
 * @packageDocumentation
 */
export {
  HostSelectorField,
  cleanSelector,
  type HostSelectorFieldProps,
} from './HostSelectorField';
export { resolveHosts } from './resolveHosts';
/** The CMDB backend's generated client (`/api/cmdb`) and its wire types. */
export {
  DefaultApiClient as CmdbApiClient,
  type Operations as CmdbOperations,
  type ResolveHostsResponse,
} from './schema/openapi.client.generated';
export { cmdbReactTranslationRef } from './translation/translation';
export type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';
