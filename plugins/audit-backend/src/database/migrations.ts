import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** Folder with the audit plugin's knex migrations (JS files). */
export const migrationsDir = resolvePackagePath(
  '@opsdeck/plugin-audit-backend',
  'migrations',
);

/** The audit plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = 'opsdeck_audit_knex_migrations';

const migrationConfig = {
  directory: migrationsDir,
  tableName: MIGRATIONS_TABLE,
};

// Both the auditor service (root context) and the audit plugin apply the
// migrations at startup. Serialize them within this process, and retry when
// another process (a second replica) holds knex's migration lock.
let queue: Promise<unknown> = Promise.resolve();

/** Applies all pending audit migrations; safe to call more than once. */
export function applyAuditMigrations(knex: Knex): Promise<void> {
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

/** Reverts every audit migration (tests only). */
export async function rollbackAuditMigrations(knex: Knex): Promise<void> {
  await knex.migrate.rollback(migrationConfig, true);
}
