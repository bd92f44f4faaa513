/**
 * opsdeck's credentials vault: the `vault` backend plugin (SSH keys and
 * passwords, AES-256-GCM encrypted at rest) and `vaultServiceRef`, through
 * which other backend plugins read secrets in-process.
 *
 * @packageDocumentation
 */
export { vaultPlugin as default } from './plugin';
export {
  vaultServiceRef,
  vaultServiceFactory,
  createVaultReader,
} from './service/vaultService';
export type { VaultService, VaultSecret } from './service/vaultService';
export type { CredentialType, CredentialMetadata } from './database/VaultStore';
