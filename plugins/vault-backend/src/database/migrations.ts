import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-vault-backend',
  tableName: 'opsdeck_vault_knex_migrations',
});

/** Folder with the vault plugin's knex migrations (JS files). */
export const migrationsDir = migrations.directory;

/** The vault plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** Applies all pending vault migrations; safe to call more than once. */
export function applyVaultMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every vault migration (tests only). */
export function rollbackVaultMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
