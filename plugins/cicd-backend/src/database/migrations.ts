import type { DatabaseService } from '@backstage/backend-plugin-api';
import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';

/** The plugin's knex client (the type of DatabaseService's client). */
export type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-cicd-backend',
  tableName: 'opsdeck_cicd_knex_migrations',
});

/** Applies all pending CI/CD migrations; safe to call more than once. */
export function applyCicdMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts every CI/CD migration (tests only). */
export function rollbackCicdMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}
