import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { DatabaseVaultStore } from './database/DatabaseVaultStore';
import { readKeyring } from './lib/keyring';
import { CredentialService } from './service/CredentialService';
import { createRouter } from './service/router';
import { getSharedVaultStore } from './service/sharedVaultStore';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';

/**
 * The credentials vault: SSH keys and passwords, encrypted at rest, managed
 * at /api/vault (metadata only; secrets go to other plugins via
 * `vaultServiceRef`).
 *
 * @public
 */
export const vaultPlugin = createBackendPlugin({
  pluginId: 'vault',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        // Makes sure the vault service's root context (which opens the vault
        // database and checks the keys) exists, so both share one store.
        vault: vaultServiceRef,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        events: eventsServiceRef,
      },
      async init({
        config,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auditor,
        logger,
        events,
      }) {
        // Refuses to start without a valid key.
        const keyring = readKeyring(config);
        const shared = getSharedVaultStore(config);
        const store = shared
          ? await shared
          : await DatabaseVaultStore.create({ database });
        const credentials = new CredentialService(store, keyring);

        permissionsRegistry.addPermissions([
          vaultCredentialReadPermission,
          vaultCredentialManagePermission,
        ]);
        httpRouter.use(
          await createRouter({
            credentials,
            httpAuth,
            permissions,
            auditor,
            events,
            logger,
          }),
        );
      },
    });
  },
});
