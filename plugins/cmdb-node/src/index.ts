/**
 * opsdeck's host service for backend plugins: `resolveHosts(selector,
 * credentials)` over the catalog, `hostsServiceRef`, and (re-exported from
 * cmdb-common) the one `HostSelector` and entity → SSH target mapping.
 *
 * @packageDocumentation
 */
export { getHost, resolveHosts } from './resolveHosts';
export { hostsServiceRef, type HostsService } from './service';
export {
  hostFromEntity,
  selectorMatches,
  unmatchedNames,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';
