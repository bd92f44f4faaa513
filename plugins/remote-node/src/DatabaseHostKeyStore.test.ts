import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabaseHostKeyStore,
  applyRemoteNodeMigrations,
  rollbackRemoteNodeMigrations,
} from './DatabaseHostKeyStore';

jest.setTimeout(60_000);

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

  it('migrates up twice and down', async () => {
    const { knex } = await newStore();
    await applyRemoteNodeMigrations(knex);
    expect(await knex.schema.hasTable('host_keys')).toBe(true);
    await rollbackRemoteNodeMigrations(knex);
    expect(await knex.schema.hasTable('host_keys')).toBe(false);
  });
});
