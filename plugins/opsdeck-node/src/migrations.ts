import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { useSqliteWal } from './sqliteWal';

/** Applies and reverts one plugin's knex migrations. */
export interface PluginMigrations {
  /** Folder with the plugin's migrations (JS files). */
  directory: string;
  /** The plugin's own migrations bookkeeping table. */
  tableName: string;
  /** Applies every pending migration; safe to call more than once, even concurrently. */
  apply(knex: Knex): Promise<void>;
  /** Reverts every migration (tests only). */
  rollback(knex: Knex): Promise<void>;
}

/**
 * The migrations in `<package>/migrations`, tracked in their own table so that
 * plugins sharing a database server never see each other's bookkeeping.
 *
 * Calls are serialized within the process (a plugin and a service of the same
 * package may both migrate at start-up), and retried while another process (a
 * second replica) holds knex's migration lock.
 */
export function createPluginMigrations(options: {
  packageName: string;
  tableName: string;
  /** The folder inside the package (default `migrations`). */
  folder?: string;
}): PluginMigrations {
  const config = {
    directory: resolvePackagePath(
      options.packageName,
      options.folder ?? 'migrations',
    ),
    tableName: options.tableName,
  };
  let queue: Promise<unknown> = Promise.resolve();

  return {
    ...config,
    apply(knex) {
      const run = queue.then(async () => {
        await useSqliteWal(knex);
        await migrateWithRetry(knex, config);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async rollback(knex) {
      await knex.migrate.rollback(config, true);
    },
  };
}

async function migrateWithRetry(
  knex: Knex,
  config: Knex.MigratorConfig,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.migrate.latest(config);
      return;
    } catch (error) {
      const locked = (error as Error)?.name === 'MigrationLocked';
      if (!locked || attempt >= 10) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 500 * attempt));
    }
  }
}
