import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  localAccountChangeOwnPasswordPermission,
  localAccountManagePermission,
  localAccountReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { DatabaseAccountStore } from './database/DatabaseAccountStore';
import { readLocalAuthConfig } from './lib/config';
import { AccountService } from './service/AccountService';
import { createRouter } from './service/router';

/**
 * Local password accounts: sign-in with lockout, the session cookie the
 * `opsdeck` auth provider reads, and admin routes for accounts.
 */
export const localAuthPlugin = createBackendPlugin({
  pluginId: 'local-auth',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
      },
      async init({
        rootConfig,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
      }) {
        const config = readLocalAuthConfig(rootConfig);
        const store = await DatabaseAccountStore.create({ database });
        const accounts = new AccountService(store, config, logger);

        const created = await accounts.seed(config.seedUsers);
        if (created.length > 0) {
          logger.info(`Created seed accounts: ${created.join(', ')}`);
        }

        permissionsRegistry.addPermissions([
          localAccountReadPermission,
          localAccountManagePermission,
          localAccountChangeOwnPasswordPermission,
        ]);
        httpRouter.use(
          await createRouter({
            accounts,
            config,
            httpAuth,
            permissions,
            auditor,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/login', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({ path: '/logout', allow: 'unauthenticated' });
      },
    });
  },
});
