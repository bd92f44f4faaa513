import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-files-backend',
  tableName: 'opsdeck_files_knex_migrations',
});

/** Applies all pending files migrations; safe to call more than once. */
export function applyFilesMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every files migration (tests only). */
export function rollbackFilesMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
