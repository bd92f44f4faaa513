/**
 * Test kit: the host service over an in-memory catalog, for tests of plugins
 * that target hosts without starting the CMDB; host targets and CMDB host
 * records (`testHostTarget`, `testHostDetail`) for tests that need one.
 *
 * @packageDocumentation
 */
export {
  catalogHostsService,
  catalogHostsServiceFactory,
  resolveCatalogHosts,
} from './catalogHosts';
export { testHostDetail, testHostTarget } from './hostRecords';
