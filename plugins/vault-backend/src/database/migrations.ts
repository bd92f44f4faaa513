import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** Folder with the vault plugin's knex migrations (JS files). */
export const migrationsDir = resolvePackagePath(
  '@opsdeck/plugin-vault-backend',
  'migrations',
);

/** The vault plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = 'opsdeck_vault_knex_migrations';

const migrationConfig = {
  directory: migrationsDir,
  tableName: MIGRATIONS_TABLE,
};

// Serialize within this process, retry while another process (a second
// replica) holds knex's migration lock.
let queue: Promise<unknown> = Promise.resolve();

/** Applies all pending vault migrations; safe to call more than once. */
export function applyVaultMigrations(knex: Knex): Promise<void> {
  const run = queue.then(() => migrateWithRetry(knex));
  queue = run.catch(() => undefined);
  return run;
}

async function migrateWithRetry(knex: Knex): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.migrate.latest(migrationConfig);
      return;
    } catch (error) {
      const locked = (error as Error)?.name === 'MigrationLocked';
      if (!locked || attempt >= 10) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Reverts every vault migration (tests only). */
export async function rollbackVaultMigrations(knex: Knex): Promise<void> {
  await knex.migrate.rollback(migrationConfig, true);
}
