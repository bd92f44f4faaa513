import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-cmdb-backend',
  tableName: 'opsdeck_cmdb_knex_migrations',
});

/** Folder with the cmdb plugin's knex migrations (JS files). */
export const migrationsDir = migrations.directory;

/** The cmdb plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** Applies all pending cmdb migrations; safe to call more than once. */
export function applyCmdbMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every cmdb migration (tests only). */
export function rollbackCmdbMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
