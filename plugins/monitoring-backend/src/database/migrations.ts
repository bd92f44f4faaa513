import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-monitoring-backend',
  tableName: 'opsdeck_monitoring_knex_migrations',
});

/** Applies all pending monitoring migrations; safe to call more than once. */
export function applyMonitoringMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every monitoring migration (tests only). */
export function rollbackMonitoringMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
