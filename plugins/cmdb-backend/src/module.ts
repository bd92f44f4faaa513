import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { CmdbEntityProvider } from './catalog/CmdbEntityProvider';
import { cmdbHubServiceRef } from '@opsdeck/plugin-cmdb-node';
import { OpsdeckResourceProcessor } from './catalog/OpsdeckResourceProcessor';

/**
 * Catalog module: validates opsdeck Resources (host, database, cache, queue)
 * and provides the hosts registered through the CMDB as entities
 * (provider `opsdeck-cmdb`).
 *
 * @public
 */
export const catalogModuleOpsdeckResources = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'opsdeck-resources',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        // the cmdb plugin's hub: the same instance in this backend
        hub: cmdbHubServiceRef,
        logger: coreServices.logger,
      },
      async init({ catalog, hub, logger }) {
        catalog.addProcessor(new OpsdeckResourceProcessor());
        catalog.addEntityProvider(new CmdbEntityProvider(hub, logger));
      },
    });
  },
});
