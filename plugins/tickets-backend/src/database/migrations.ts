import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-tickets-backend',
  tableName: 'opsdeck_tickets_knex_migrations',
});

/** Folder with the tickets plugin's knex migrations (JS files). */
export const migrationsDir = migrations.directory;

/** The tickets plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** Applies all pending tickets migrations; safe to call more than once. */
export function applyTicketsMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every tickets migration (tests only). */
export function rollbackTicketsMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
