/**
 * Test kit: the host service over an in-memory catalog, for tests of plugins
 * that target hosts without starting the CMDB.
 *
 * @packageDocumentation
 */
export {
  catalogHostsService,
  catalogHostsServiceFactory,
  resolveCatalogHosts,
} from './catalogHosts';
