import {
  coreServices,
  createServiceFactory,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import type { Knex } from 'knex';
import { useSqliteWal } from './sqliteWal';

/**
 * Backstage's database service (the same `DatabaseManager`, config and
 * defaults as `@backstage/backend-defaults`), except that the plugins chosen
 * by `sqliteWal` get their SQLite file in WAL before anyone else touches it.
 *
 * `createPluginMigrations` turns WAL on too, but only when the plugin's own
 * migrations run: by then Backstage's per-plugin bookkeeping (the auth key
 * store's and the scheduler's migrations, the first task rows) has already
 * committed on the rollback journal, five transactions and about fifteen
 * syncs per database. packages/backend gives WAL to every plugin the bare
 * Backstage backend does not have, so the start-up bench still compares the
 * stock plugins as Backstage ships them.
 */
export function createOpsdeckDatabaseServiceFactory(options: {
  sqliteWal(pluginId: string): boolean;
}) {
  return createServiceFactory({
    service: coreServices.database,
    deps: {
      config: coreServices.rootConfig,
      lifecycle: coreServices.lifecycle,
      logger: coreServices.logger,
      pluginMetadata: coreServices.pluginMetadata,
      rootLifecycle: coreServices.rootLifecycle,
      rootLogger: coreServices.rootLogger,
    },
    async createRootContext({ config, rootLifecycle, rootLogger }) {
      const source = config.getOptional('backend.database')
        ? config
        : new ConfigReader({
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
          });
      return DatabaseManager.fromConfig(source, { rootLifecycle, rootLogger });
    },
    async factory({ pluginMetadata, lifecycle, logger }, manager) {
      const pluginId = pluginMetadata.getId();
      const database = manager.forPlugin(pluginId, { lifecycle, logger });
      if (!options.sqliteWal(pluginId)) {
        return database;
      }
      let client: Promise<Knex> | undefined;
      const service: DatabaseService = {
        ...database,
        getClient() {
          client ??= database.getClient().then(async knex => {
            await useSqliteWal(knex);
            return knex;
          });
          // a failed attempt is not remembered: the next call tries again
          client.catch(() => {
            client = undefined;
          });
          return client;
        },
      };
      return service;
    },
  });
}
