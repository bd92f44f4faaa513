import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-config-backend',
  tableName: 'opsdeck_config_knex_migrations',
});

/** Applies all pending config migrations; safe to call more than once. */
export function applyConfigMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every config migration (tests only). */
export function rollbackConfigMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
