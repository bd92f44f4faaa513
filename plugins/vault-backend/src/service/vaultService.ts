import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  AuditorService,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DatabaseService,
  PluginMetadataService,
  RootConfigService,
  RootLifecycleService,
  RootLoggerService,
  ServiceFactory,
  ServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { VaultStore } from '../database/VaultStore';
import { readKeyring } from '../lib/keyring';
import { CredentialService, VaultSecret } from './CredentialService';
import { setSharedVaultStore } from './sharedVaultStore';

export type { VaultSecret } from './CredentialService';

/**
 * Server-side access to vault secrets, for other backend plugins of the same
 * backend (e.g. remote-node reading an SSH key). Never exposed over HTTP.
 *
 * @public
 */
export interface VaultService {
  /**
   * The decrypted secret of the credential `name`. Throws NotFoundError when
   * there is none; errors never contain secret material. Do not log or return
   * the result.
   */
  getSecret(name: string): Promise<VaultSecret>;
}

/**
 * Reads vault secrets straight from the vault database (no HTTP), given a
 * database service for the `vault` plugin and the root config (for the keys).
 * Throws at once when `opsdeck.vault.keys` has no valid key.
 *
 * @public
 */
export function createVaultReader(options: {
  database: DatabaseService;
  config: Config;
}): VaultService {
  const keyring = readKeyring(options.config);
  const service = DatabaseVaultStore.create({
    database: options.database,
  }).then(store => new CredentialService(store, keyring));
  return { getSecret: async name => (await service).getSecret(name) };
}

/** One per backend: the keys and the vault database. */
class VaultRootContext {
  readonly credentials: Promise<CredentialService>;

  constructor(deps: {
    config: RootConfigService;
    rootLogger: RootLoggerService;
    rootLifecycle: RootLifecycleService;
  }) {
    const { config, rootLogger, rootLifecycle } = deps;
    // Refuse to start without a valid key (the error names the config key).
    const keyring = readKeyring(config);
    const logger = rootLogger.child({ plugin: 'vault', service: 'vault' });
    const lifecycle = {
      addStartupHook: rootLifecycle.addStartupHook.bind(rootLifecycle),
      addShutdownHook: rootLifecycle.addShutdownHook.bind(rootLifecycle),
    };
    const store: Promise<VaultStore> = Promise.resolve().then(() =>
      DatabaseVaultStore.create({
        database: DatabaseManager.fromConfig(config, {
          rootLogger,
          rootLifecycle,
        }).forPlugin('vault', { logger, lifecycle }),
      }),
    );
    store.catch(error =>
      logger.error('Could not open the vault database', error),
    );
    setSharedVaultStore(config, store);
    this.credentials = store.then(s => new CredentialService(s, keyring));
  }
}

/** A plugin's view of the vault: reads are reported to its auditor. */
class PluginVaultService implements VaultService {
  constructor(
    private readonly root: VaultRootContext,
    private readonly auditor: AuditorService,
    private readonly plugin: PluginMetadataService,
  ) {}

  async getSecret(name: string): Promise<VaultSecret> {
    const event = await this.auditor.createEvent({
      eventId: 'vault-secret-read',
      severityLevel: 'low',
      meta: { target: `vault:credential/${name}`, reader: this.plugin.getId() },
    });
    try {
      const secret = await (await this.root.credentials).getSecret(name);
      await event.success();
      return secret;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}

/**
 * The vault service: `getSecret(name)` for backend plugins. Its default
 * factory ({@link vaultServiceFactory}) opens the vault plugin's database
 * once per backend and shares it with the vault plugin.
 *
 * @public
 */
export const vaultServiceRef: ServiceRef<VaultService, 'plugin', 'singleton'> =
  createServiceRef<VaultService>({
    id: 'opsdeck.vault',
    defaultFactory: async (): Promise<ServiceFactory> =>
      createVaultServiceFactory(),
  });

/**
 * Default factory of {@link vaultServiceRef}: reads `opsdeck.vault.keys`
 * (refusing to start without a valid key) and opens the database of plugin
 * `vault` (same `backend.database` config as the plugin itself).
 *
 * @public
 */
export const vaultServiceFactory: ServiceFactory<
  VaultService,
  'plugin',
  'singleton'
> = createVaultServiceFactory();

function createVaultServiceFactory(): ServiceFactory<
  VaultService,
  'plugin',
  'singleton'
> {
  return createServiceFactory({
    service: vaultServiceRef,
    deps: {
      config: coreServices.rootConfig,
      rootLogger: coreServices.rootLogger,
      rootLifecycle: coreServices.rootLifecycle,
      auditor: coreServices.auditor,
      plugin: coreServices.pluginMetadata,
    },
    createRootContext({ config, rootLogger, rootLifecycle }) {
      return new VaultRootContext({ config, rootLogger, rootLifecycle });
    },
    factory({ auditor, plugin }, root) {
      return new PluginVaultService(root, auditor, plugin);
    },
  });
}
