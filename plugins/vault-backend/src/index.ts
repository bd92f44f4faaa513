/**
 * opsdeck's credentials vault: the `vault` backend plugin (SSH keys and
 * passwords, AES-256-GCM encrypted at rest) and `vaultServiceFactory`, the
 * implementation of `vaultServiceRef` from `@opsdeck/plugin-vault-node`,
 * through which other backend plugins take secrets out in-process, and
 * `vaultStoreServiceFactory`, the backend's one vault store that both share.
 *
 * @packageDocumentation
 */
export { vaultPlugin as default } from './plugin';
export { vaultServiceFactory } from './service/vaultService';
export { vaultStoreServiceFactory } from './database/vaultStoreServiceFactory';
