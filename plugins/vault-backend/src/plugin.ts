import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { readKeyring } from './lib/keyring';
import { CredentialService } from './service/CredentialService';
import { createRouter } from './service/router';
import { vaultStoreServiceRef } from '@opsdeck/plugin-vault-node';
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
        // The backend's one vault store, the same instance the vault
        // service reads (one pool, migrations once, the same rows).
        vaultStore: vaultStoreServiceRef,
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
        vaultStore,
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
        const store = await vaultStore.store();
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
