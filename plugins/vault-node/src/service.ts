import {
  createServiceRef,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import type { SecretUse, VaultSecret } from './model';

/**
 * Server-side access to vault secrets for backend plugins of the same
 * backend. Never exposed over HTTP.
 *
 * @public
 */
export interface VaultService {
  /**
   * The decrypted secret of the credential `name`, taken out for `use`.
   * Throws NotAllowedError (`@backstage/errors`) when the credential's policy
   * does not allow this use for this target (and records a denied-use audit
   * event); NotFoundError when missing. Errors never contain secret material.
   * Do not log or return the result.
   */
  getSecret(name: string, use: SecretUse): Promise<VaultSecret>;
}

/**
 * The vault service. It has no default factory: the backend adds
 * `vaultServiceFactory` from `@opsdeck/plugin-vault-backend` once, next to
 * the vault plugin (tests give their own factory). Declared as a singleton so
 * that dependents get a `VaultService`, not a list.
 *
 * @public
 */
export const vaultServiceRef: ServiceRef<VaultService, 'plugin', 'singleton'> =
  createServiceRef<VaultService>({ id: 'opsdeck.vault' });
