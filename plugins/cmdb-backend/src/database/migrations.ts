import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** Folder with the CMDB plugin's knex migrations (JS files). */
export const migrationsDir = resolvePackagePath(
  '@opsdeck/plugin-cmdb-backend',
  'migrations',
);

/** The CMDB plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = 'opsdeck_cmdb_knex_migrations';

const migrationConfig = {
  directory: migrationsDir,
  tableName: MIGRATIONS_TABLE,
};

// The CMDB plugin applies the migrations at startup (a test may do so several
// times at once). Serialize them within this process, and retry when
// another process (a second replica) holds knex's migration lock.
let queue: Promise<unknown> = Promise.resolve();

/** Applies all pending CMDB migrations; safe to call more than once. */
export function applyCmdbMigrations(knex: Knex): Promise<void> {
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

/** Reverts every CMDB migration (tests only). */
export async function rollbackCmdbMigrations(knex: Knex): Promise<void> {
  await knex.migrate.rollback(migrationConfig, true);
}
