import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-bastion-backend',
  tableName: 'opsdeck_bastion_knex_migrations',
});

/** Folder with the bastion plugin's knex migrations (JS files). */
export const migrationsDir = migrations.directory;

/** The bastion plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** Applies all pending bastion migrations; safe to call more than once. */
export function applyBastionMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every cmdb migration (tests only). */
export function rollbackBastionMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
