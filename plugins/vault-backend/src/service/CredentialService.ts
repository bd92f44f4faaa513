import { InputError, NotFoundError } from '@backstage/errors';
import {
  CREDENTIAL_USES,
  isCredentialUse,
  normalizeSystemRef,
  type CredentialUse,
  type VaultSecret,
} from '@opsdeck/plugin-vault-node';
import { decryptSecret, encryptSecret } from '../lib/crypto';
import { Keyring } from '../lib/keyring';
import { inspectPrivateKey } from '../lib/sshKey';
import type {
  CredentialMetadata,
  CredentialPolicy,
  CredentialType,
  ReencryptResult,
  VaultStore,
} from '@opsdeck/plugin-vault-node';

/** Credential names: lowercase letters, digits, `-`, `_`, `.`; 1-63 long. */
export const CREDENTIAL_NAME_PATTERN = /^[a-z0-9][a-z0-9-_.]{0,62}$/;
/** Longest password accepted. */
export const MAX_PASSWORD_LENGTH = 4096;
const MAX_DESCRIPTION_LENGTH = 2000;
const MAX_USERNAME_LENGTH = 255;
const ENVIRONMENT_PATTERN = /^[a-z0-9][a-z0-9-_.]{0,62}$/;
const MAX_POLICY_ITEMS = 100;
const OWNER_PATTERN =
  /^(?:(group):)?(?:([a-z0-9][a-z0-9-_.]*)\/)?([a-z0-9][a-z0-9-_.]*)$/i;

/** A policy as an API caller sends it (validated and normalised here). */
export interface PolicyInput {
  owner: string;
  allowedUses: string[];
  allowedSystems?: string[];
  allowedEnvironments?: string[];
}

/** Input of a new credential: the secret and its policy. */
export interface NewCredential extends PolicyInput {
  name: string;
  type: CredentialType;
  username?: string;
  description?: string;
  secret: string;
}

/** Metadata changes; `null` or `''` clears the username. */
export interface CredentialPatch {
  username?: string | null;
  description?: string;
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

function boundedList(values: unknown, field: string): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || values.some(v => typeof v !== 'string')) {
    throw new InputError(`${field} must be a list of strings`);
  }
  if (values.length > MAX_POLICY_ITEMS) {
    throw new InputError(`${field} has more than ${MAX_POLICY_ITEMS} entries`);
  }
  return values as string[];
}

/**
 * Validates and normalises a policy: the owner a group ref, uses known ones
 * (an SSH key serves `ssh-login` only: every other use needs a password),
 * systems full system refs, environments names; duplicates dropped.
 */
export function normalizePolicy(
  input: PolicyInput,
  type: CredentialType,
): CredentialPolicy {
  if (typeof input.owner !== 'string' || !input.owner.trim()) {
    throw new InputError(
      'A credential needs an owner group (e.g. group:default/ops)',
    );
  }
  const owner = normalizeOwner(input.owner);
  const uses = boundedList(input.allowedUses, 'allowedUses');
  const unknown = uses.filter(u => !isCredentialUse(u));
  if (unknown.length > 0) {
    throw new InputError(
      `Unknown use ${unknown.join(', ')}; uses are ${CREDENTIAL_USES.join(
        ', ',
      )}`,
    );
  }
  const allowedUses = CREDENTIAL_USES.filter(u => uses.includes(u));
  if (type === 'ssh-key') {
    const wrong = allowedUses.filter(u => u !== 'ssh-login');
    if (wrong.length > 0) {
      throw new InputError(
        `An SSH key can only be used for ssh-login; ${wrong.join(
          ', ',
        )} need a password`,
      );
    }
  }
  const allowedSystems = [
    ...new Set(
      boundedList(input.allowedSystems, 'allowedSystems').map(value => {
        const ref = normalizeSystemRef(value);
        if (!ref || !ref.startsWith('system:')) {
          throw new InputError(
            `Invalid system '${value}': expected a system entity ref such as system:default/shop`,
          );
        }
        return ref;
      }),
    ),
  ];
  const allowedEnvironments = [
    ...new Set(
      boundedList(input.allowedEnvironments, 'allowedEnvironments').map(
        value => {
          const env = value.trim();
          if (!ENVIRONMENT_PATTERN.test(env)) {
            throw new InputError(`Invalid environment '${value}'`);
          }
          return env;
        },
      ),
    ),
  ];
  return {
    owner,
    allowedUses: allowedUses as CredentialUse[],
    allowedSystems,
    allowedEnvironments,
  };
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
    const policy = normalizePolicy(input, input.type);
    const secret = this.prepareSecret(input.type, input.secret);
    const now = this.clock();
    await this.store.create({
      name: input.name,
      type: input.type,
      username: username || undefined,
      description,
      ...policy,
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
    const updated = await this.store.updateMetadata(name, {
      username: username === '' ? null : username,
      description: description ?? undefined,
      updatedBy: actor,
      updatedAt: this.clock(),
    });
    if (!updated) throw notFound(name);
    return updated;
  }

  /** Replaces the credential's policy; returns the policy before and after. */
  async setPolicy(
    name: string,
    input: PolicyInput,
    actor: string,
  ): Promise<{ before: CredentialPolicy; after: CredentialMetadata }> {
    const current = await this.get(name);
    const policy = normalizePolicy(input, current.type);
    const after = await this.store.updatePolicy(name, {
      ...policy,
      updatedBy: actor,
      updatedAt: this.clock(),
    });
    if (!after) throw notFound(name);
    return { before: policyOf(current), after };
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

  /**
   * The decrypted secret of a credential, after `check` accepted its metadata
   * (the policy decision; it throws to refuse, and then nothing is
   * decrypted). Server-side only.
   */
  async getSecret(
    name: string,
    check: (credential: CredentialMetadata) => Promise<void> = async () => {},
  ): Promise<VaultSecret> {
    const stored = await this.store.get(name);
    if (!stored) throw notFound(name);
    const { envelope: _envelope, ...metadata } = stored;
    await check(metadata);
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

/** The policy part of a credential's metadata. */
export function policyOf(credential: CredentialPolicy): CredentialPolicy {
  return {
    ...(credential.owner ? { owner: credential.owner } : {}),
    allowedUses: credential.allowedUses,
    allowedSystems: credential.allowedSystems,
    allowedEnvironments: credential.allowedEnvironments,
  };
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(`No credential named '${name}'`);
}
