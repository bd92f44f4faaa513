import {
  coreServices,
  createBackendPlugin,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  sqlChangeApprovePermission,
  sqlChangeCreatePermission,
  sqlChangeExecutePermission,
  sqlInstanceReadPermission,
  sqlQueryLogReadPermission,
  sqlQueryPermission,
  sqlSlowQueryReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
// vaultServiceRef is the vault's server-side service API, meant for other backend plugins.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  vaultServiceRef,
  type VaultService,
} from '@opsdeck/plugin-vault-backend';
import { readSqlConfig } from './config';
import { Masker } from './console/masking';
import { DatabaseSqlStore } from './database/DatabaseSqlStore';
import { createRouter } from './service/router';
import { SqlService } from './service/SqlService';

/**
 * The sql plugin: SQL review, approved and audited changes with backup and
 * rollback, the read-only query console with masking, slow-query reports.
 * Instances are catalog Resources (type database/cache); passwords come from
 * the vault.
 *
 * @public
 */
export const sqlPlugin = createBackendPlugin({
  pluginId: 'sql',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        // The ref is declared without its instance type; it is a singleton.
        vault: vaultServiceRef as ServiceRef<
          VaultService,
          'plugin',
          'singleton'
        >,
      },
      async init(deps) {
        const config = readSqlConfig(deps.rootConfig);
        const store = await DatabaseSqlStore.create({
          database: deps.database,
        });
        const service = new SqlService({
          store,
          catalog: deps.catalog,
          auth: deps.auth,
          getSecret: name => deps.vault.getSecret(name),
          masker: new Masker(config.maskingRules),
          limits: config.limits,
          logger: deps.logger,
        });
        deps.permissionsRegistry.addPermissions([
          sqlInstanceReadPermission,
          sqlChangeCreatePermission,
          sqlChangeApprovePermission,
          sqlChangeExecutePermission,
          sqlQueryPermission,
          sqlQueryLogReadPermission,
          sqlSlowQueryReadPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            store,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
      },
    });
  },
});
