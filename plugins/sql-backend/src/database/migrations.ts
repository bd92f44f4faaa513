import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-sql-backend',
  tableName: 'opsdeck_sql_knex_migrations',
});

/** Applies all pending sql plugin migrations; safe to call more than once. */
export function applySqlMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}
