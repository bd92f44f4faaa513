import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

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

const tuned = new WeakSet<object>();

/**
 * On an embedded SQLite file (the demo's default database), switches the
 * plugin's database to write-ahead logging with `synchronous = NORMAL`: a
 * commit then appends to the log without waiting for the disk, where the
 * default rollback journal waits for three to four syncs per transaction.
 * The database stays consistent after a crash or power loss; the last
 * transactions before a power loss may be lost (SQLite's documented trade for
 * WAL + NORMAL). A fresh start applies hundreds of small migration
 * transactions, and the syncs were most of opsdeck's start-up time on SQLite
 * (#15). PostgreSQL and in-memory databases are left as they are.
 */
async function useSqliteWal(knex: Knex): Promise<void> {
  const client = knex.client as Knex.Client & {
    pool?: { on(event: string, cb: (...args: any[]) => void): void };
  };
  const dialect = String(client.config?.client ?? '');
  if (!/sqlite/.test(dialect) || tuned.has(client)) return;
  tuned.add(client);
  const filename = (client.config?.connection as { filename?: string })
    ?.filename;
  if (!filename || filename === ':memory:') return;
  // synchronous is per connection: also for connections the pool opens later
  client.pool?.on('createSuccess', (_id: unknown, connection: any) => {
    if (typeof connection?.pragma === 'function') {
      connection.pragma('synchronous = NORMAL');
    }
  });
  await knex.raw('PRAGMA journal_mode = WAL');
  await knex.raw('PRAGMA synchronous = NORMAL');
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
