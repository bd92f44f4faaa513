import type { Knex } from 'knex';

const tuned = new WeakSet<object>();

/**
 * On an embedded SQLite file (the demo's default database), switches the
 * database to write-ahead logging with `synchronous = NORMAL`: a commit then
 * appends to the log without waiting for the disk, where the default rollback
 * journal waits for three to four syncs per transaction. The database stays
 * consistent after a crash or power loss; the last transactions before a
 * power loss may be lost (SQLite's documented trade for WAL + NORMAL). A
 * fresh start applies hundreds of small migration transactions, and the syncs
 * were most of opsdeck's start-up time on SQLite (#15). PostgreSQL and
 * in-memory databases are left as they are. Once per knex client.
 */
export async function useSqliteWal(knex: Knex): Promise<void> {
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
