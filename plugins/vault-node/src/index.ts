/**
 * opsdeck's vault for backend plugins: the `VaultService` interface and its
 * `vaultServiceRef` (implemented by `@opsdeck/plugin-vault-backend`), the
 * secret types, the credential uses and what a secret is taken out for; and
 * for the vault plugin itself, the store of its database (`VaultStore`,
 * `vaultStoreServiceRef`) shared by its service and its API.
 *
 * @packageDocumentation
 */
export {
  CREDENTIAL_TYPES,
  CREDENTIAL_USES,
  isCredentialUse,
  VAULT_CREDENTIAL_SAVED_TOPIC,
  type VaultCredentialSavedEvent,
  type CredentialType,
  type CredentialUse,
  type SecretTarget,
  type SecretUse,
  type VaultSecret,
} from './model';
export { vaultServiceRef, type VaultService } from './service';
export type {
  CredentialMetadata,
  CredentialPolicy,
  Envelope,
  MetadataPatch,
  PolicyUpdate,
  ReencryptResult,
  SecretUpdate,
  StoredCredential,
  VaultStore,
} from './store';
export {
  vaultStoreServiceRef,
  type VaultStoreService,
} from './storeServiceRef';
export {
  ENVIRONMENT_LABEL,
  normalizeGroupRef,
  normalizeSystemRef,
  secretTarget,
  secretTargetOf,
  secretTargetsFromCatalog,
} from './target';
