import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { CmdbEntityProvider } from './catalog/CmdbEntityProvider';
import { getCmdbHub } from './catalog/cmdbHub';
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
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ catalog, rootConfig, logger }) {
        catalog.addProcessor(new OpsdeckResourceProcessor());
        catalog.addEntityProvider(
          new CmdbEntityProvider(getCmdbHub(rootConfig), logger),
        );
      },
    });
  },
});
