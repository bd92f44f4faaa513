import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  registryReadPermission,
  registryTagDeletePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { applyRegistryMigrations } from './database/migrations';
import { DatabaseRunningDigests } from './running/DatabaseRunningDigests';
import { createRouter } from './service/router';
import { RegistryService } from './service/RegistryService';

/**
 * Image registries (/api/registry): browse Docker Registry v2 / OCI
 * registries that the catalog describes, delete tags (refused while their
 * digest runs) and dry-run retention rules.
 *
 * @public
 */
export const registryPlugin = createBackendPlugin({
  pluginId: 'registry',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
        database: coreServices.database,
      },
      async init(deps) {
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyRegistryMigrations(knex);
        }
        // what runs where, as the kubernetes and cmdb plugins report it
        // (runningDigestsServiceRef of @opsdeck/plugin-registry-node)
        const running = new DatabaseRunningDigests(knex);
        const service = new RegistryService({
          catalog: deps.catalog,
          vault: deps.vault,
          running,
        });
        deps.permissionsRegistry.addPermissions([
          registryReadPermission,
          registryTagDeletePermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            running,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
