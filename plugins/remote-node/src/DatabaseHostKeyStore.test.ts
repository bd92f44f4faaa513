import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabaseHostKeyStore,
  applyRemoteNodeMigrations,
  rollbackRemoteNodeMigrations,
} from './DatabaseHostKeyStore';

jest.setTimeout(60_000);

const migrationsDirectory = resolvePackagePath(
  '@opsdeck/plugin-remote-node',
  'migrations',
);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('DatabaseHostKeyStore (%s)', id => {
  async function newStore() {
    const knex = await databases.init(id);
    await applyRemoteNodeMigrations(knex);
    return { knex, store: new DatabaseHostKeyStore(knex) };
  }

  it('pins the first fingerprint and keeps it', async () => {
    const { store } = await newStore();
    expect(await store.get('[127.0.0.1]:2201')).toBeUndefined();
    expect(await store.pin('[127.0.0.1]:2201', 'SHA256:first')).toBe(
      'SHA256:first',
    );
    expect(await store.pin('[127.0.0.1]:2201', 'SHA256:other')).toBe(
      'SHA256:first',
    );
    expect(await store.get('[127.0.0.1]:2201')).toBe('SHA256:first');
    expect(await store.get('[127.0.0.1]:2202')).toBeUndefined();
  });

  it('gives racing first connections one and the same pin', async () => {
    const { knex } = await newStore();
    // two instances = two backend replicas on one database
    const a = new DatabaseHostKeyStore(knex);
    const b = new DatabaseHostKeyStore(knex);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).pin('race.example.com', `SHA256:key-${i}`),
      ),
    );
    expect(new Set(results).size).toBe(1);
    expect(await a.get('race.example.com')).toBe(results[0]);
  });

  it('keeps pins for a new instance (a restart) until removed', async () => {
    const { knex, store } = await newStore();
    await store.pin('db-01.example.com', 'SHA256:old');
    const restarted = new DatabaseHostKeyStore(knex);
    expect(await restarted.get('db-01.example.com')).toBe('SHA256:old');
    expect(await restarted.pin('db-01.example.com', 'SHA256:new')).toBe(
      'SHA256:old',
    );

    await restarted.remove('db-01.example.com');
    expect(await store.get('db-01.example.com')).toBeUndefined();
    expect(await store.pin('db-01.example.com', 'SHA256:new')).toBe(
      'SHA256:new',
    );
    // removing what is not there is fine
    await store.remove('never-seen.example.com');
  });

  it('keeps the latest offered key pending until an admin accepts exactly it', async () => {
    const { knex, store } = await newStore();
    const host = '[203.0.113.9]:22';
    expect(await store.pending(host)).toBeUndefined();
    await store.offer(host, 'SHA256:first');
    await store.offer(host, 'SHA256:second');
    expect(await store.pending(host)).toEqual({
      fingerprint: 'SHA256:second',
      offeredAt: expect.any(Date),
    });
    // nothing is pinned by an offer
    expect(await store.get(host)).toBeUndefined();
    // what the admin saw is no longer on offer: nothing is pinned
    expect(await store.accept(host, 'SHA256:first')).toBe(false);
    expect(await store.get(host)).toBeUndefined();

    // many accepts at once (two replicas): one pins, once
    const other = new DatabaseHostKeyStore(knex);
    const accepted = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? store : other).accept(host, 'SHA256:second'),
      ),
    );
    expect(accepted.filter(Boolean)).toHaveLength(1);
    expect(await store.get(host)).toBe('SHA256:second');
    expect(await store.pending(host)).toBeUndefined();

    await store.offer('[203.0.113.10]:22', 'SHA256:x');
    expect(await store.reject('[203.0.113.10]:22')).toBe(true);
    expect(await store.reject('[203.0.113.10]:22')).toBe(false);
    expect(await store.pending('[203.0.113.10]:22')).toBeUndefined();
  });

  it('migrates up twice and down, step by step with data', async () => {
    const { knex } = await newStore();
    await applyRemoteNodeMigrations(knex);
    expect(await knex.schema.hasTable('host_keys')).toBe(true);
    expect(await knex.schema.hasTable('host_key_offers')).toBe(true);
    const store = new DatabaseHostKeyStore(knex);
    await store.pin('kept.example.com', 'SHA256:kept');
    await store.offer('new.example.com', 'SHA256:offered');
    const config = {
      directory: migrationsDirectory,
      tableName: 'opsdeck_remote_node_knex_migrations',
    };
    await knex.migrate.down(config);
    expect(await knex.schema.hasTable('host_key_offers')).toBe(false);
    expect(await store.get('kept.example.com')).toBe('SHA256:kept');
    await knex.migrate.up(config);
    expect(await knex.schema.hasTable('host_key_offers')).toBe(true);
    await rollbackRemoteNodeMigrations(knex);
    expect(await knex.schema.hasTable('host_keys')).toBe(false);
    expect(await knex.schema.hasTable('host_key_offers')).toBe(false);
  });
});
