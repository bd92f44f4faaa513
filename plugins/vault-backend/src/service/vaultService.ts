import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  AuditorService,
  AuthService,
  coreServices,
  createServiceFactory,
  PluginMetadataService,
  RootConfigService,
  RootLifecycleService,
  RootLoggerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { RELATION_MEMBER_OF } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
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
import { decideUse, type GroupsOf } from '../policy/decideUse';
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

/** A plugin's view of the vault: every use is checked and audited. */
class PluginVaultService implements VaultService {
  constructor(
    private readonly root: VaultRootContext,
    private readonly auditor: AuditorService,
    private readonly plugin: PluginMetadataService,
    private readonly groupsOf: GroupsOf,
  ) {}

  async getSecret(name: string, use: SecretUse): Promise<VaultSecret> {
    if (!use || !isCredentialUse(use.use) || !use.for?.ref) {
      throw new InputError(
        `A vault secret is taken out for a known use and target; '${name}' was asked for without one`,
      );
    }
    const meta = {
      target: `vault:credential/${name}`,
      credential: name,
      reader: this.plugin.getId(),
      use: use.use,
      for: { ...use.for },
      ...(use.actor ? { actor: use.actor } : {}),
    };
    let granted: Awaited<ReturnType<AuditorService['createEvent']>> | undefined;
    const credentials = await this.root.credentials;
    try {
      const secret = await credentials.getSecret(name, async credential => {
        const decision = await decideUse(credential, use, this.groupsOf);
        if (!decision.allowed) {
          const error = new NotAllowedError(
            `Vault credential '${name}' may not be used for ${use.use} on ${
              use.for.ref
            }${use.actor ? ` by ${use.actor}` : ''}: ${decision.reason}`,
          );
          const denied = await this.auditor.createEvent({
            eventId: 'vault-secret-use-denied',
            severityLevel: 'high',
            meta: { ...meta, reason: decision.reason },
          });
          await denied.fail({ error });
          throw error;
        }
        granted = await this.auditor.createEvent({
          eventId: 'vault-secret-read',
          severityLevel: 'low',
          meta,
        });
      });
      await granted?.success();
      return secret;
    } catch (error) {
      if (granted) {
        await granted.fail({ error: error as Error });
      } else if (!(error instanceof NotAllowedError)) {
        // not found (or the store failed) before any decision
        const event = await this.auditor.createEvent({
          eventId: 'vault-secret-read',
          severityLevel: 'low',
          meta,
        });
        await event.fail({ error: error as Error });
      }
      throw error;
    }
  }
}

/** Direct group memberships of a user, from the catalog (`memberOf`). */
function catalogGroups(catalog: CatalogService, auth: AuthService): GroupsOf {
  return async userRef => {
    const entity = await catalog.getEntityByRef(userRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    return (entity?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef.toLocaleLowerCase('en-US'));
  };
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
    auth: coreServices.auth,
    catalog: catalogServiceRef,
  },
  createRootContext({ config, rootLogger, rootLifecycle }) {
    return new VaultRootContext({ config, rootLogger, rootLifecycle });
  },
  factory({ auditor, plugin, auth, catalog }, root) {
    return new PluginVaultService(
      root,
      auditor,
      plugin,
      catalogGroups(catalog, auth),
    );
  },
});
