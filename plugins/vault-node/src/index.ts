/**
 * opsdeck's vault for backend plugins: the `VaultService` interface and its
 * `vaultServiceRef` (implemented by `@opsdeck/plugin-vault-backend`), the
 * secret types, the credential uses and what a secret is taken out for.
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
export {
  ENVIRONMENT_LABEL,
  normalizeGroupRef,
  normalizeSystemRef,
  secretTarget,
  secretTargetOf,
  secretTargetsFromCatalog,
} from './target';
