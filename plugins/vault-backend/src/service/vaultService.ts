import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  AuditorService,
  coreServices,
  createServiceFactory,
  PluginMetadataService,
  RootConfigService,
  RootLifecycleService,
  RootLoggerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  isCredentialUse,
  vaultServiceRef,
  type SecretUse,
  type VaultSecret,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import { DatabaseVaultStore } from '../database/DatabaseVaultStore';
import { VaultStore } from '../database/VaultStore';
import { readKeyring } from '../lib/keyring';
import { CredentialService } from './CredentialService';
import { setSharedVaultStore } from './sharedVaultStore';

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

  async getSecret(name: string, use: SecretUse): Promise<VaultSecret> {
    if (!use || !isCredentialUse(use.use) || !use.for?.ref) {
      throw new InputError(
        `A vault secret is taken out for a known use and target; '${name}' was asked for without one`,
      );
    }
    const event = await this.auditor.createEvent({
      eventId: 'vault-secret-read',
      severityLevel: 'low',
      meta: {
        target: `vault:credential/${name}`,
        reader: this.plugin.getId(),
        use: use.use,
        for: { ...use.for },
        ...(use.actor ? { actor: use.actor } : {}),
      },
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
 * The factory of `vaultServiceRef` (`@opsdeck/plugin-vault-node`): reads
 * `opsdeck.vault.keys` (refusing to start without a valid key) and opens the
 * database of plugin `vault` (same `backend.database` config as the plugin
 * itself) once per backend, shared with the vault plugin. Add it to the
 * backend once, next to the plugin.
 *
 * @public
 */
export const vaultServiceFactory: ServiceFactory<
  VaultService,
  'plugin',
  'singleton'
> = createServiceFactory({
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
