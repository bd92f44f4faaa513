import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { AccountSummary, StoredAccount } from '../model';
import { AttemptStore } from './AttemptStore';
import { SessionStore } from './SessionStore';
import { toDate } from './dates';

const TABLE = 'local_accounts';
/** Own migrations table so local-auth never touches another plugin's. */
export const MIGRATIONS_TABLE = 'local_auth__knex_migrations';

export const migrationsDir = resolvePackagePath(
  '@opsdeck/plugin-local-auth-backend',
  'migrations',
);

type Row = {
  name: string;
  password_hash: string;
  last_login_at: Date | string | number | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

function toAccount(row: Row): StoredAccount {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    lastLoginAt: toDate(row.last_login_at),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
  };
}

/** Local accounts (name and password hash) on the plugin's knex database. */
export class DatabaseAccountStore {
  constructor(private readonly db: Knex) {}

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

  /** Creates the account unless it exists; true when it was created. */
  async createAccountIfMissing(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean> {
    const now = new Date();
    const inserted = await this.db<Row>(TABLE)
      .insert({
        name: options.name,
        password_hash: options.passwordHash,
        created_at: now,
        updated_at: now,
      })
      .onConflict('name')
      .ignore()
      .returning('name');
    return inserted.length > 0;
  }

  /** Creates the account or replaces its password; true when it was created. */
  async setPassword(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean> {
    const now = new Date();
    const updated = await this.db<Row>(TABLE)
      .where({ name: options.name })
      .update({ password_hash: options.passwordHash, updated_at: now });
    if (updated > 0) return false;
    return this.createAccountIfMissing(options);
  }

  /** Replaces the hash only if it is still `previousHash` (rehash on sign-in). */
  async replaceHash(options: {
    name: string;
    previousHash: string;
    passwordHash: string;
  }): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ name: options.name, password_hash: options.previousHash })
      .update({ password_hash: options.passwordHash, updated_at: new Date() });
  }

  async recordLogin(options: { name: string; now: Date }): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ name: options.name })
      .update({ last_login_at: options.now });
  }
}

/** The plugin's three stores on one migrated database. */
export interface LocalAuthStores {
  accounts: DatabaseAccountStore;
  attempts: AttemptStore;
  sessions: SessionStore;
}

/** Migrates the plugin's database and opens its stores. */
export async function createLocalAuthStores(options: {
  database: DatabaseService;
  skipMigrations?: boolean;
}): Promise<LocalAuthStores> {
  const client = await options.database.getClient();
  if (!options.database.migrations?.skip && !options.skipMigrations) {
    await client.migrate.latest({
      directory: migrationsDir,
      tableName: MIGRATIONS_TABLE,
    });
  }
  return {
    accounts: new DatabaseAccountStore(client),
    attempts: new AttemptStore(client),
    sessions: new SessionStore(client),
  };
}
