import type { CredentialType, CredentialUse } from './model';

// The vault plugin's storage of credentials: what vault-backend keeps per
// row (encrypted secrets only) and the store shared by its vault service and
// its API (vaultStoreServiceRef). Other plugins take secrets out through
// vaultServiceRef, never through the store.

/** An encrypted secret as stored in a row; all binary values base64. */
export interface Envelope {
  keyId: string;
  iv: string;
  authTag: string;
  ciphertext: string;
}

/**
 * Whom and what a credential may serve, checked every time its secret is
 * taken out of the vault (`VaultService.getSecret`):
 * - `owner`: the group that owns the credential. A target (host, database)
 *   must be owned by this group; a job secret is only taken out on behalf of a
 *   member of it. Without an owner the credential serves nothing.
 * - `allowedUses`: what it may be taken out for; nothing else.
 * - `allowedSystems` / `allowedEnvironments`: when not empty, the target must
 *   belong to one of these systems / environments.
 */
export interface CredentialPolicy {
  owner?: string;
  allowedUses: CredentialUse[];
  allowedSystems: string[];
  allowedEnvironments: string[];
}

/** Everything about a credential except its secret (its policy included). */
export interface CredentialMetadata extends CredentialPolicy {
  name: string;
  type: CredentialType;
  username?: string;
  description: string;
  /** `SHA256:...` of the public key (ssh-key only). */
  fingerprint?: string;
  /** e.g. `ssh-ed25519` (ssh-key only). */
  keyAlgorithm?: string;
  /** Id of the vault key the secret is encrypted with. */
  keyId: string;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  secretUpdatedAt: Date;
}

/** A stored credential: metadata plus the encrypted secret. */
export interface StoredCredential extends CredentialMetadata {
  envelope: Envelope;
}

/** A new encrypted secret with what is derived from it. */
export interface SecretUpdate {
  envelope: Envelope;
  fingerprint?: string;
  keyAlgorithm?: string;
  updatedBy: string;
  updatedAt: Date;
}

/** Metadata changes; `null` clears an optional field. */
export interface MetadataPatch {
  username?: string | null;
  description?: string;
  updatedBy: string;
  updatedAt: Date;
}

/** A new policy, replacing the whole previous one. */
export interface PolicyUpdate extends CredentialPolicy {
  updatedBy: string;
  updatedAt: Date;
}

/** Outcome of re-encrypting the vault. */
export interface ReencryptResult {
  /** Rows that were re-encrypted (were under another key). */
  reencrypted: number;
  /** Rows in the vault afterwards. */
  total: number;
}

/** Persistence of vault credentials; never sees a plaintext secret. */
export interface VaultStore {
  list(): Promise<CredentialMetadata[]>;
  get(name: string): Promise<StoredCredential | undefined>;
  /** Throws ConflictError when the name is taken. */
  create(credential: StoredCredential): Promise<void>;
  /** Undefined when there is no such credential. */
  updateSecret(
    name: string,
    update: SecretUpdate,
  ): Promise<CredentialMetadata | undefined>;
  /** Undefined when there is no such credential. */
  updateMetadata(
    name: string,
    patch: MetadataPatch,
  ): Promise<CredentialMetadata | undefined>;
  /** Undefined when there is no such credential. */
  updatePolicy(
    name: string,
    update: PolicyUpdate,
  ): Promise<CredentialMetadata | undefined>;
  /** False when there was no such credential. */
  delete(name: string): Promise<boolean>;
  /**
   * Re-encrypts, batch by batch (one transaction each), every row whose key
   * id is not `currentKeyId`, with `reencrypt` (which decrypts and encrypts
   * again). A throwing `reencrypt` aborts with that error; finished batches
   * stay committed.
   */
  reencryptAll(
    currentKeyId: string,
    reencrypt: (credential: StoredCredential) => Envelope,
    batchSize?: number,
  ): Promise<ReencryptResult>;
}
