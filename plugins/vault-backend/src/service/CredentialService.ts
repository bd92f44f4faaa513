import { InputError, NotFoundError } from '@backstage/errors';
import type { VaultSecret } from '@opsdeck/plugin-vault-node';
import { decryptSecret, encryptSecret } from '../lib/crypto';
import { Keyring } from '../lib/keyring';
import { inspectPrivateKey } from '../lib/sshKey';
import {
  CredentialMetadata,
  CredentialType,
  ReencryptResult,
  VaultStore,
} from '../database/VaultStore';

/** Credential names: lowercase letters, digits, `-`, `_`, `.`; 1-63 long. */
export const CREDENTIAL_NAME_PATTERN = /^[a-z0-9][a-z0-9-_.]{0,62}$/;
/** Longest password accepted. */
export const MAX_PASSWORD_LENGTH = 4096;
const MAX_DESCRIPTION_LENGTH = 2000;
const MAX_USERNAME_LENGTH = 255;
const OWNER_PATTERN =
  /^(?:(group):)?(?:([a-z0-9][a-z0-9-_.]*)\/)?([a-z0-9][a-z0-9-_.]*)$/i;

/** Input of a new credential. */
export interface NewCredential {
  name: string;
  type: CredentialType;
  username?: string;
  description?: string;
  owner?: string;
  secret: string;
}

/** Metadata changes; `null` or `''` clears username / owner. */
export interface CredentialPatch {
  username?: string | null;
  description?: string;
  owner?: string | null;
}

/** Throws InputError unless `name` is a valid credential name. */
export function validateCredentialName(name: string): void {
  if (!CREDENTIAL_NAME_PATTERN.test(name)) {
    throw new InputError(
      'Invalid credential name: use 1-63 lowercase letters, digits, "-", "_" or ".", ' +
        'starting with a letter or digit',
    );
  }
}

/** `ops` / `group:ops` / `group:default/ops` -> `group:default/ops`. */
export function normalizeOwner(owner: string): string {
  const match = OWNER_PATTERN.exec(owner.trim());
  if (!match) {
    throw new InputError(
      'Invalid owner: expected a group entity ref such as group:default/ops',
    );
  }
  const [, , namespace, name] = match;
  return `group:${(
    namespace ?? 'default'
  ).toLowerCase()}/${name.toLowerCase()}`;
}

function optionalText(
  value: string | null | undefined,
  field: string,
  max: number,
): string | null | undefined {
  if (value === undefined || value === null) return value;
  const text = value.trim();
  if (text.length > max) {
    throw new InputError(`${field} is too long (at most ${max} characters)`);
  }
  return text;
}

/**
 * Validates, encrypts and decrypts credentials; the only place where secret
 * plaintext exists. No error it throws contains secret material.
 */
export class CredentialService {
  constructor(
    private readonly store: VaultStore,
    private readonly keyring: Keyring,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Id of the key that encrypts new secrets. */
  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  list(): Promise<CredentialMetadata[]> {
    return this.store.list();
  }

  async get(name: string): Promise<CredentialMetadata> {
    const stored = await this.store.get(name);
    if (!stored) throw notFound(name);
    const { envelope: _envelope, ...metadata } = stored;
    return metadata;
  }

  async create(
    input: NewCredential,
    actor: string,
  ): Promise<CredentialMetadata> {
    validateCredentialName(input.name);
    const username = optionalText(
      input.username,
      'username',
      MAX_USERNAME_LENGTH,
    );
    const description =
      optionalText(input.description, 'description', MAX_DESCRIPTION_LENGTH) ??
      '';
    const owner = input.owner?.trim() ? normalizeOwner(input.owner) : undefined;
    const secret = this.prepareSecret(input.type, input.secret);
    const now = this.clock();
    await this.store.create({
      name: input.name,
      type: input.type,
      username: username || undefined,
      description,
      owner,
      fingerprint: secret.fingerprint,
      keyAlgorithm: secret.keyAlgorithm,
      keyId: this.keyring.current.id,
      envelope: encryptSecret(this.keyring, input.name, secret.value),
      createdBy: actor,
      createdAt: now,
      updatedBy: actor,
      updatedAt: now,
      secretUpdatedAt: now,
    });
    return this.get(input.name);
  }

  async replaceSecret(
    name: string,
    secretText: string,
    actor: string,
  ): Promise<CredentialMetadata> {
    const current = await this.store.get(name);
    if (!current) throw notFound(name);
    const secret = this.prepareSecret(current.type, secretText);
    const updated = await this.store.updateSecret(name, {
      envelope: encryptSecret(this.keyring, name, secret.value),
      fingerprint: secret.fingerprint,
      keyAlgorithm: secret.keyAlgorithm,
      updatedBy: actor,
      updatedAt: this.clock(),
    });
    if (!updated) throw notFound(name);
    return updated;
  }

  async update(
    name: string,
    patch: CredentialPatch,
    actor: string,
  ): Promise<CredentialMetadata> {
    const username = optionalText(
      patch.username,
      'username',
      MAX_USERNAME_LENGTH,
    );
    const description = optionalText(
      patch.description,
      'description',
      MAX_DESCRIPTION_LENGTH,
    );
    let owner: string | null | undefined = patch.owner;
    if (owner !== undefined && owner !== null) {
      owner = owner.trim() ? normalizeOwner(owner) : null;
    }
    const updated = await this.store.updateMetadata(name, {
      username: username === '' ? null : username,
      description: description ?? undefined,
      owner,
      updatedBy: actor,
      updatedAt: this.clock(),
    });
    if (!updated) throw notFound(name);
    return updated;
  }

  async delete(name: string): Promise<void> {
    if (!(await this.store.delete(name))) throw notFound(name);
  }

  /** Re-encrypts every credential under the current key. */
  rotate(batchSize?: number): Promise<ReencryptResult> {
    return this.store.reencryptAll(
      this.keyring.current.id,
      credential =>
        encryptSecret(
          this.keyring,
          credential.name,
          decryptSecret(this.keyring, credential.name, credential.envelope),
        ),
      batchSize,
    );
  }

  /** The decrypted secret of a credential. Server-side only. */
  async getSecret(name: string): Promise<VaultSecret> {
    const stored = await this.store.get(name);
    if (!stored) throw notFound(name);
    const value = decryptSecret(this.keyring, name, stored.envelope);
    const username = stored.username ? { username: stored.username } : {};
    return stored.type === 'ssh-key'
      ? { type: 'ssh-key', ...username, privateKey: value }
      : { type: 'password', ...username, password: value };
  }

  private prepareSecret(
    type: CredentialType,
    text: string,
  ): { value: string; fingerprint?: string; keyAlgorithm?: string } {
    if (type === 'ssh-key') {
      const info = inspectPrivateKey(text);
      return {
        value: info.normalized,
        fingerprint: info.fingerprint,
        keyAlgorithm: info.algorithm,
      };
    }
    if (type === 'password') {
      if (text.length === 0) {
        throw new InputError('The password must not be empty');
      }
      if (text.length > MAX_PASSWORD_LENGTH) {
        throw new InputError(
          `The password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`,
        );
      }
      return { value: text };
    }
    throw new InputError(`Unknown credential type; use ssh-key or password`);
  }
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(`No credential named '${name}'`);
}
