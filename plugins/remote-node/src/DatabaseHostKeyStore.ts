import type { DatabaseService } from '@backstage/backend-plugin-api';
import { createPluginMigrations } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';
import type { HostKeyStore, PendingHostKey } from './hostKeys';

const migrations = createPluginMigrations({
  packageName: '@opsdeck/plugin-remote-node',
  tableName: 'opsdeck_remote_node_knex_migrations',
});

/** Applies remote-node's migrations (the `host_keys` table); safe to repeat. */
export function applyRemoteNodeMigrations(knex: Knex): Promise<void> {
  return migrations.apply(knex);
}

/** Reverts remote-node's migrations (tests only). */
export function rollbackRemoteNodeMigrations(knex: Knex): Promise<void> {
  return migrations.rollback(knex);
}

/**
 * {@link HostKeyStore} in a database (PostgreSQL or SQLite): pins survive a
 * restart and are shared by every backend replica.
 */
export class DatabaseHostKeyStore implements HostKeyStore {
  /** Applies migrations (unless the database service says to skip them). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseHostKeyStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyRemoteNodeMigrations(knex);
    }
    return new DatabaseHostKeyStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async pin(hostId: string, fingerprint: string): Promise<string> {
    // insert-if-absent, then read: of two racing first connections (even on
    // two replicas) exactly one key wins and both see it
    await this.db('host_keys')
      .insert({ host_id: hostId, fingerprint, pinned_at: new Date() })
      .onConflict('host_id')
      .ignore();
    const pinned = await this.get(hostId);
    if (pinned === undefined) {
      // removed between our insert and read: the caller's key is as good as any
      return this.pin(hostId, fingerprint);
    }
    return pinned;
  }

  async get(hostId: string): Promise<string | undefined> {
    const row = await this.db('host_keys')
      .where('host_id', hostId)
      .first('fingerprint');
    return row?.fingerprint;
  }

  async remove(hostId: string): Promise<void> {
    await this.db('host_keys').where('host_id', hostId).delete();
  }

  async offer(hostId: string, fingerprint: string): Promise<void> {
    // the latest offer wins: an admin accepts exactly the fingerprint shown
    await this.db('host_key_offers')
      .insert({ host_id: hostId, fingerprint, offered_at: new Date() })
      .onConflict('host_id')
      .merge(['fingerprint', 'offered_at']);
  }

  async pending(hostId: string): Promise<PendingHostKey | undefined> {
    const row = await this.db('host_key_offers')
      .where('host_id', hostId)
      .first('fingerprint', 'offered_at');
    return row
      ? {
          fingerprint: row.fingerprint,
          offeredAt:
            row.offered_at instanceof Date
              ? row.offered_at
              : new Date(row.offered_at),
        }
      : undefined;
  }

  async accept(hostId: string, fingerprint: string): Promise<boolean> {
    // one conditional delete is the gate: of two accepts (or an accept racing
    // a new offer) only the one that removes the shown key goes on
    const taken = await this.db('host_key_offers')
      .where({ host_id: hostId, fingerprint })
      .delete();
    if (taken !== 1) return false;
    return (await this.pin(hostId, fingerprint)) === fingerprint;
  }

  async reject(hostId: string): Promise<boolean> {
    return (
      (await this.db('host_key_offers').where('host_id', hostId).delete()) > 0
    );
  }
}
