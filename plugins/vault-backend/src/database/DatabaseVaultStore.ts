import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  isCredentialUse,
  type CredentialPolicy,
  type Envelope,
} from '@opsdeck/plugin-vault-node';
import { applyVaultMigrations } from './migrations';
import {
  CredentialMetadata,
  CredentialType,
  MetadataPatch,
  PolicyUpdate,
  ReencryptResult,
  SecretUpdate,
  StoredCredential,
  VaultStore,
} from '@opsdeck/plugin-vault-node';

const TABLE = 'vault_credentials';

/** Rows re-encrypted per transaction by default. */
export const DEFAULT_REENCRYPT_BATCH_SIZE = 100;

type Row = {
  name: string;
  type: string;
  username: string | null;
  description: string;
  owner: string | null;
  allowed_uses: string;
  allowed_systems: string;
  allowed_environments: string;
  fingerprint: string | null;
  key_algorithm: string | null;
  key_id: string;
  iv: string;
  auth_tag: string;
  ciphertext: string;
  created_by: string;
  created_at: Date | string | number;
  updated_by: string;
  updated_at: Date | string | number;
  secret_updated_at: Date | string | number;
};

const METADATA_COLUMNS = [
  'name',
  'type',
  'username',
  'description',
  'owner',
  'allowed_uses',
  'allowed_systems',
  'allowed_environments',
  'fingerprint',
  'key_algorithm',
  'key_id',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'secret_updated_at',
] as const;

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A JSON array column as strings (anything else reads as empty). */
function stringList(value: unknown): string[] {
  try {
    const parsed = typeof value === 'string' ? JSON.parse(value) : value;
    return Array.isArray(parsed)
      ? parsed.filter((v): v is string => typeof v === 'string')
      : [];
  } catch {
    return [];
  }
}

function policyColumns(policy: CredentialPolicy) {
  return {
    owner: policy.owner ?? null,
    allowed_uses: JSON.stringify(policy.allowedUses),
    allowed_systems: JSON.stringify(policy.allowedSystems),
    allowed_environments: JSON.stringify(policy.allowedEnvironments),
  };
}

function toMetadata(
  row: Omit<Row, 'iv' | 'auth_tag' | 'ciphertext'>,
): CredentialMetadata {
  const credential: CredentialMetadata = {
    name: row.name,
    type: row.type as CredentialType,
    description: row.description ?? '',
    allowedUses: stringList(row.allowed_uses).filter(isCredentialUse),
    allowedSystems: stringList(row.allowed_systems),
    allowedEnvironments: stringList(row.allowed_environments),
    keyId: row.key_id,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedBy: row.updated_by,
    updatedAt: toDate(row.updated_at),
    secretUpdatedAt: toDate(row.secret_updated_at),
  };
  if (row.username) credential.username = row.username;
  if (row.owner) credential.owner = row.owner;
  if (row.fingerprint) credential.fingerprint = row.fingerprint;
  if (row.key_algorithm) credential.keyAlgorithm = row.key_algorithm;
  return credential;
}

function toStored(row: Row): StoredCredential {
  return {
    ...toMetadata(row),
    envelope: envelopeOf(row),
  };
}

function envelopeOf(row: Row): Envelope {
  return {
    keyId: row.key_id,
    iv: row.iv,
    authTag: row.auth_tag,
    ciphertext: row.ciphertext,
  };
}

function envelopeColumns(envelope: Envelope) {
  return {
    key_id: envelope.keyId,
    iv: envelope.iv,
    auth_tag: envelope.authTag,
    ciphertext: envelope.ciphertext,
  };
}

/**
 * Some drivers (better-sqlite3) put the bound values of a failed statement in
 * the error message. Ciphertext is not the secret, but keep it out of logs.
 */
function redact(error: unknown, envelope: Envelope): unknown {
  if (
    error instanceof Error ||
    (error && typeof (error as Error).message === 'string')
  ) {
    const e = error as Error;
    for (const value of [envelope.ciphertext, envelope.iv, envelope.authTag]) {
      if (value) e.message = e.message.split(value).join('[redacted]');
    }
  }
  return error;
}

/** {@link VaultStore} on the plugin's knex database (PostgreSQL or SQLite). */
export class DatabaseVaultStore implements VaultStore {
  /** Applies migrations (unless the database service says to skip them). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseVaultStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyVaultMigrations(knex);
    }
    return new DatabaseVaultStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async list(): Promise<CredentialMetadata[]> {
    const rows = await this.db<Row>(TABLE)
      .select(...METADATA_COLUMNS)
      .orderBy('name');
    return rows.map(toMetadata);
  }

  async get(name: string): Promise<StoredCredential | undefined> {
    const row = await this.db<Row>(TABLE).where({ name }).first();
    return row ? toStored(row) : undefined;
  }

  async create(credential: StoredCredential): Promise<void> {
    await this.db.transaction(async tx => {
      const existing = await tx<Row>(TABLE)
        .where({ name: credential.name })
        .first('name');
      if (existing) {
        throw new ConflictError(
          `A credential named '${credential.name}' already exists`,
        );
      }
      try {
        await tx<Row>(TABLE).insert({
          name: credential.name,
          type: credential.type,
          username: credential.username ?? null,
          description: credential.description,
          ...policyColumns(credential),
          fingerprint: credential.fingerprint ?? null,
          key_algorithm: credential.keyAlgorithm ?? null,
          ...envelopeColumns(credential.envelope),
          created_by: credential.createdBy,
          created_at: credential.createdAt,
          updated_by: credential.updatedBy,
          updated_at: credential.updatedAt,
          secret_updated_at: credential.secretUpdatedAt,
        });
      } catch (error) {
        // Lost a race with a concurrent create of the same name.
        if (
          /unique|duplicate|constraint/i.test(String((error as Error)?.message))
        ) {
          throw new ConflictError(
            `A credential named '${credential.name}' already exists`,
          );
        }
        throw redact(error, credential.envelope);
      }
    });
  }

  async updateSecret(
    name: string,
    update: SecretUpdate,
  ): Promise<CredentialMetadata | undefined> {
    const count = await this.db<Row>(TABLE)
      .where({ name })
      .update({
        ...envelopeColumns(update.envelope),
        fingerprint: update.fingerprint ?? null,
        key_algorithm: update.keyAlgorithm ?? null,
        updated_by: update.updatedBy,
        updated_at: update.updatedAt,
        secret_updated_at: update.updatedAt,
      })
      .catch(error => {
        throw redact(error, update.envelope);
      });
    return count ? this.getMetadata(name) : undefined;
  }

  async updateMetadata(
    name: string,
    patch: MetadataPatch,
  ): Promise<CredentialMetadata | undefined> {
    const changes: Partial<Row> = {
      updated_by: patch.updatedBy,
      updated_at: patch.updatedAt,
    };
    if (patch.username !== undefined) changes.username = patch.username;
    if (patch.description !== undefined)
      changes.description = patch.description;
    const count = await this.db<Row>(TABLE).where({ name }).update(changes);
    return count ? this.getMetadata(name) : undefined;
  }

  async updatePolicy(
    name: string,
    update: PolicyUpdate,
  ): Promise<CredentialMetadata | undefined> {
    const count = await this.db<Row>(TABLE)
      .where({ name })
      .update({
        ...policyColumns(update),
        updated_by: update.updatedBy,
        updated_at: update.updatedAt,
      });
    return count ? this.getMetadata(name) : undefined;
  }

  async delete(name: string): Promise<boolean> {
    const count = await this.db<Row>(TABLE).where({ name }).delete();
    return count > 0;
  }

  async reencryptAll(
    currentKeyId: string,
    reencrypt: (credential: StoredCredential) => Envelope,
    batchSize: number = DEFAULT_REENCRYPT_BATCH_SIZE,
  ): Promise<ReencryptResult> {
    let reencrypted = 0;
    let after = '';
    for (;;) {
      const batch = await this.reencryptBatch(
        currentKeyId,
        reencrypt,
        batchSize,
        after,
      );
      reencrypted += batch.count;
      if (batch.last === undefined || batch.count < batchSize) break;
      after = batch.last;
    }
    const [{ count }] = await this.db(TABLE).count({ count: '*' });
    return { reencrypted, total: Number(count) };
  }

  /** One transaction: the next `batchSize` rows by name after `after`. */
  private async reencryptBatch(
    currentKeyId: string,
    reencrypt: (credential: StoredCredential) => Envelope,
    batchSize: number,
    after: string,
  ): Promise<{ count: number; last?: string }> {
    return this.db.transaction(async tx => {
      const query = tx<Row>(TABLE)
        .where('name', '>', after)
        .whereNot('key_id', currentKeyId)
        .orderBy('name')
        .limit(batchSize);
      // SQLite has no row locks (it locks the whole database for writes).
      if (tx.client.config.client === 'pg') query.forUpdate();
      const rows = await query;
      for (const row of rows) {
        const envelope = reencrypt(toStored(row));
        await tx<Row>(TABLE)
          .where({ name: row.name, key_id: row.key_id })
          .update(envelopeColumns(envelope))
          .catch(error => {
            throw redact(redact(error, envelope), envelopeOf(row));
          });
      }
      return { count: rows.length, last: rows[rows.length - 1]?.name };
    });
  }

  private async getMetadata(
    name: string,
  ): Promise<CredentialMetadata | undefined> {
    const row = await this.db<Row>(TABLE)
      .where({ name })
      .first(...METADATA_COLUMNS);
    return row ? toMetadata(row) : undefined;
  }
}
