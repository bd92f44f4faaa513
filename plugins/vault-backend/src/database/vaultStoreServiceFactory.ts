import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  vaultStoreServiceRef,
  type VaultStore,
} from '@opsdeck/plugin-vault-node';
import { DatabaseVaultStore } from './DatabaseVaultStore';

/**
 * The factory of `vaultStoreServiceRef` (`@opsdeck/plugin-vault-node`): opens
 * the database of plugin `vault` (same `backend.database` config as any
 * plugin's, per-plugin overrides included) once per backend, in the
 * background, and applies the migrations. A root-scoped service cannot use
 * the plugin-scoped `coreServices.database`, hence `DatabaseManager`. Add it
 * to the backend once, next to the plugin and `vaultServiceFactory`.
 *
 * @public
 */
export const vaultStoreServiceFactory = createServiceFactory({
  service: vaultStoreServiceRef,
  deps: {
    config: coreServices.rootConfig,
    rootLogger: coreServices.rootLogger,
    rootLifecycle: coreServices.rootLifecycle,
  },
  factory({ config, rootLogger, rootLifecycle }) {
    const logger = rootLogger.child({ plugin: 'vault', service: 'store' });
    const store: Promise<VaultStore> = Promise.resolve().then(() =>
      DatabaseVaultStore.create({
        database: DatabaseManager.fromConfig(config, {
          rootLogger,
          rootLifecycle,
        }).forPlugin('vault', {
          logger,
          lifecycle: {
            addStartupHook: rootLifecycle.addStartupHook.bind(rootLifecycle),
            addShutdownHook: rootLifecycle.addShutdownHook.bind(rootLifecycle),
          },
        }),
      }),
    );
    store.catch(error =>
      logger.error('Could not open the vault database', error),
    );
    return { store: () => store };
  },
});
