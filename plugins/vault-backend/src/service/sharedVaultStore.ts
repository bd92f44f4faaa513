import { RootConfigService } from '@backstage/backend-plugin-api';
import { VaultStore } from '../database/VaultStore';

// The vault service's root context opens the vault database once per backend;
// the vault plugin uses the same store when it is there, so both share one
// connection pool, run migrations once, and see the same rows even with an
// in-memory SQLite database. Keyed by the backend's root config instance.
const stores = new WeakMap<RootConfigService, Promise<VaultStore>>();

/** Records the vault store opened by the vault service for this backend. */
export function setSharedVaultStore(
  config: RootConfigService,
  store: Promise<VaultStore>,
): void {
  stores.set(config, store);
}

/** The vault store the vault service opened for this backend, if it did. */
export function getSharedVaultStore(
  config: RootConfigService,
): Promise<VaultStore> | undefined {
  return stores.get(config);
}
