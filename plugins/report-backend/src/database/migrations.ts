import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-report-backend',
  tableName: 'opsdeck_report_knex_migrations',
});

/** Applies all pending report migrations; safe to call more than once. */
export function applyReportMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every report migration (tests only). */
export function rollbackReportMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
