import {
  AuditorService,
  AuthService,
  coreServices,
  createServiceFactory,
  PluginMetadataService,
  RootConfigService,
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
  vaultStoreServiceRef,
  type SecretUse,
  type VaultSecret,
  type VaultService,
  type VaultStoreService,
} from '@opsdeck/plugin-vault-node';
import { readKeyring } from '../lib/keyring';
import { decideUse, type GroupsOf } from '../policy/decideUse';
import { CredentialService } from './CredentialService';

/** One per backend: the keys and the vault database. */
class VaultRootContext {
  readonly credentials: Promise<CredentialService>;

  constructor(deps: {
    config: RootConfigService;
    vaultStore: VaultStoreService;
  }) {
    const { config, vaultStore } = deps;
    // Refuse to start without a valid key (the error names the config key).
    const keyring = readKeyring(config);
    this.credentials = vaultStore
      .store()
      .then(s => new CredentialService(s, keyring));
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
 * `opsdeck.vault.keys` (refusing to start without a valid key) once per
 * backend and reads the backend's one vault store (`vaultStoreServiceRef`,
 * shared with the vault plugin). Add it to the backend once, next to the
 * plugin and `vaultStoreServiceFactory`.
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
    vaultStore: vaultStoreServiceRef,
    auditor: coreServices.auditor,
    plugin: coreServices.pluginMetadata,
    auth: coreServices.auth,
    catalog: catalogServiceRef,
  },
  createRootContext({ config, vaultStore }) {
    return new VaultRootContext({ config, vaultStore });
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
