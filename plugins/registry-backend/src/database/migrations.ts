import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-registry-backend',
  tableName: 'opsdeck_registry_knex_migrations',
});

/** Applies the registry plugin's migrations; safe to repeat. */
export function applyRegistryMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts them (tests only). */
export function rollbackRegistryMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
