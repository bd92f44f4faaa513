import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  AccountStore,
  AccountSummary,
  FailureResult,
  StoredAccount,
} from './AccountStore';

const TABLE = 'local_accounts';
/** Own migrations table so local-auth never touches another plugin's. */
export const MIGRATIONS_TABLE = 'local_auth__knex_migrations';

const migrationsDir = resolvePackagePath(
  '@opsdeck/plugin-local-auth-backend',
  'migrations',
);

type Row = {
  name: string;
  password_hash: string;
  failed_attempts: number | string;
  locked_until: Date | string | number | null;
  last_login_at: Date | string | number | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

/** SQLite hands back numbers or strings, PostgreSQL Dates. */
function toDate(value: Date | string | number | null): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  // SQLite's CURRENT_TIMESTAMP is 'YYYY-MM-DD HH:MM:SS' in UTC.
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  const asNumber = Number(value);
  return Number.isFinite(asNumber) ? new Date(asNumber) : new Date(iso);
}

function toAccount(row: Row): StoredAccount {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    failedAttempts: Number(row.failed_attempts),
    lockedUntil: toDate(row.locked_until),
    lastLoginAt: toDate(row.last_login_at),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
  };
}

/** AccountStore on the plugin's knex database (PostgreSQL or SQLite). */
export class DatabaseAccountStore implements AccountStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseAccountStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new DatabaseAccountStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async getAccount(name: string): Promise<StoredAccount | undefined> {
    const row = await this.db<Row>(TABLE).where({ name }).first();
    return row ? toAccount(row) : undefined;
  }

  async listAccounts(): Promise<AccountSummary[]> {
    const rows = await this.db<Row>(TABLE).select().orderBy('name', 'asc');
    return rows.map(row => {
      const { passwordHash: _, ...summary } = toAccount(row);
      return summary;
    });
  }

  async createAccountIfMissing(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean> {
    const now = new Date();
    const inserted = await this.db<Row>(TABLE)
      .insert({
        name: options.name,
        password_hash: options.passwordHash,
        failed_attempts: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict('name')
      .ignore()
      .returning('name');
    return inserted.length > 0;
  }

  async setPassword(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean> {
    return this.db.transaction(async tx => {
      const now = new Date();
      const updated = await tx<Row>(TABLE)
        .where({ name: options.name })
        .update({
          password_hash: options.passwordHash,
          failed_attempts: 0,
          locked_until: null,
          updated_at: now,
        });
      if (updated > 0) {
        return false;
      }
      await tx<Row>(TABLE).insert({
        name: options.name,
        password_hash: options.passwordHash,
        failed_attempts: 0,
        created_at: now,
        updated_at: now,
      });
      return true;
    });
  }

  async replaceHash(options: {
    name: string;
    previousHash: string;
    passwordHash: string;
  }): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ name: options.name, password_hash: options.previousHash })
      .update({ password_hash: options.passwordHash, updated_at: new Date() });
  }

  async recordFailure(options: {
    name: string;
    maxFailedAttempts: number;
    lockoutMs: number;
    now: Date;
  }): Promise<FailureResult> {
    const { name, maxFailedAttempts, lockoutMs, now } = options;
    return this.db.transaction(async tx => {
      const row = await tx<Row>(TABLE).where({ name }).forUpdate().first();
      if (!row) {
        return { failedAttempts: 0 };
      }
      const lockedUntil = toDate(row.locked_until);
      const lockExpired = lockedUntil !== undefined && lockedUntil <= now;
      const failedAttempts = lockExpired ? 1 : Number(row.failed_attempts) + 1;
      const newLock =
        failedAttempts >= maxFailedAttempts
          ? new Date(now.getTime() + lockoutMs)
          : undefined;
      await tx<Row>(TABLE)
        .where({ name })
        .update({
          failed_attempts: failedAttempts,
          locked_until: newLock ?? (lockExpired ? null : row.locked_until),
          updated_at: now,
        });
      return { failedAttempts, lockedUntil: newLock };
    });
  }

  async recordSuccess(options: { name: string; now: Date }): Promise<void> {
    await this.db<Row>(TABLE).where({ name: options.name }).update({
      failed_attempts: 0,
      locked_until: null,
      last_login_at: options.now,
      updated_at: options.now,
    });
  }

  async unlock(name: string): Promise<boolean> {
    const updated = await this.db<Row>(TABLE).where({ name }).update({
      failed_attempts: 0,
      locked_until: null,
      updated_at: new Date(),
    });
    return updated > 0;
  }
}
