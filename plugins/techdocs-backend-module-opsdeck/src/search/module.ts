import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PgSearchEngine } from '@backstage/plugin-search-backend-module-pg';
import { searchEngineRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { OpsdeckLunrSearchEngine } from './OpsdeckLunrSearchEngine';

/**
 * Search engine for SQLite installations (module `opsdeck-engine` of the
 * `search` plugin): Lunr that answers a query for a type without an index
 * with no results, not HTTP 500 (see OpsdeckLunrSearchEngine). On
 * PostgreSQL it does nothing and search-backend-module-pg's engine is used.
 *
 * @public
 */
export const searchModuleOpsdeckEngine = createBackendModule({
  pluginId: 'search',
  moduleId: 'opsdeck-engine',
  register(env) {
    env.registerInit({
      deps: {
        registry: searchEngineRegistryExtensionPoint,
        database: coreServices.database,
        logger: coreServices.logger,
      },
      async init({ registry, database, logger }) {
        if (await PgSearchEngine.supported(database)) return;
        registry.setSearchEngine(new OpsdeckLunrSearchEngine({ logger }));
      },
    });
  },
});
