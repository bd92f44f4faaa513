/**
 * opsdeck's CMDB: the `cmdb` backend plugin (host index, facts over SSH,
 * REST API) and the catalog module that validates opsdeck Resources and
 * provides CMDB hosts as entities.
 *
 * @packageDocumentation
 */
export { cmdbPlugin as default } from './plugin';
export { catalogModuleOpsdeckResources } from './module';
export { searchModuleOpsdeckHosts } from './search/module';
export {
  HOST_DOCUMENT_TYPE,
  HostCollatorFactory,
  type HostDocument,
} from './search/HostCollatorFactory';
export { OpsdeckResourceProcessor } from './catalog/OpsdeckResourceProcessor';
export { CmdbEntityProvider } from './catalog/CmdbEntityProvider';
export { cmdbHubServiceFactory } from './catalog/cmdbHub';
export { FACTS_COMMAND, parseFacts } from './facts/parseFacts';
