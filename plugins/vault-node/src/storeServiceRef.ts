import { createServiceRef } from '@backstage/backend-plugin-api';
import type { VaultStore } from './store';

/**
 * The vault database of one backend, as the vault plugin's two halves share
 * it.
 *
 * @public
 */
export interface VaultStoreService {
  /**
   * The store once its database is open and migrated; rejects when the
   * database cannot be opened. Always the same promise.
   */
  store(): Promise<VaultStore>;
}

/**
 * The vault store, one per backend: the backend system creates it once and
 * hands the same instance to the vault service's root context
 * (`vaultServiceFactory`) and to the vault plugin, so both use one connection
 * pool, migrations run once and both see the same rows (an in-memory SQLite
 * database included).
 *
 * For `@opsdeck/plugin-vault-backend` only: other plugins take secrets out
 * through `vaultServiceRef`, which checks each credential's policy and audits
 * the use. It has no default factory: the backend adds `vaultStoreServiceFactory`
 * from `@opsdeck/plugin-vault-backend` once, next to the plugin.
 *
 * @public
 */
export const vaultStoreServiceRef = createServiceRef<VaultStoreService>({
  id: 'opsdeck.vault.store',
  scope: 'root',
});
