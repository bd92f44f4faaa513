import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-jobs-backend',
  tableName: 'opsdeck_jobs_knex_migrations',
});

/** The jobs plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** The folder of the jobs migrations (tests step through them). */
export const MIGRATIONS_DIRECTORY = migrations.directory;

/** Applies all pending jobs migrations; safe to call more than once. */
export function applyJobsMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every jobs migration (tests only). */
export function rollbackJobsMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
