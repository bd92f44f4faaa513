import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-audit-node',
  tableName: 'opsdeck_audit_knex_migrations',
});

/** Folder with the audit plugin's knex migrations (JS files). */
export const migrationsDir = migrations.directory;

/** The audit plugin's own migrations bookkeeping table. */
export const MIGRATIONS_TABLE = migrations.tableName;

/** Applies all pending audit migrations; safe to call more than once. */
export function applyAuditMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every audit migration (tests only). */
export function rollbackAuditMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
