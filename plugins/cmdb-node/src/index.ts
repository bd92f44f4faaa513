/**
 * opsdeck's host service for backend plugins: `hostsServiceRef`, resolving
 * host selectors from the CMDB's host index for the caller; `HostFactsClient`,
 * the facts the CMDB collected from hosts, read as the caller; `cmdbHubServiceRef`,
 * the cmdb plugin's in-process link to its own catalog and search modules; and (re-exported
 * from cmdb-common) the one `HostSelector` and entity → SSH target mapping.
 * Test kit: `@opsdeck/plugin-cmdb-node/testUtils`.
 *
 * @packageDocumentation
 */
export { hostsServiceRef, type HostsService } from './service';
export { HostsClient } from './HostsClient';
export {
  cmdbHubServiceRef,
  type CmdbHubService,
  type HostChange,
  type HostIndexReader,
  type HostRecord,
} from './hub';
export {
  HostFactsClient,
  factsOfDetail,
  type FactsByHost,
  type HostFacts,
  type HostFactsSource,
} from './HostFactsClient';
export {
  hostFromEntity,
  selectorMatches,
  unmatchedNames,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';
