import { TestDatabases } from '@backstage/backend-test-utils';
import {
  applyVaultMigrations,
  MIGRATIONS_TABLE,
  rollbackVaultMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('vault migrations (%s)', id => {
  it('creates vault_credentials idempotently and rolls back', async () => {
    const knex = await databases.init(id);

    await Promise.all([applyVaultMigrations(knex), applyVaultMigrations(knex)]);
    await applyVaultMigrations(knex);

    expect(await knex.schema.hasTable('vault_credentials')).toBe(true);
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    const applied = await knex(MIGRATIONS_TABLE).select('name');
    expect(applied.map(r => r.name)).toEqual(['20260301000000_init.js']);

    const columns = await knex('vault_credentials').columnInfo();
    expect(Object.keys(columns).sort()).toEqual(
      [
        'auth_tag',
        'ciphertext',
        'created_at',
        'created_by',
        'description',
        'fingerprint',
        'iv',
        'key_algorithm',
        'key_id',
        'name',
        'owner',
        'secret_updated_at',
        'type',
        'updated_at',
        'updated_by',
        'username',
      ].sort(),
    );

    const row = {
      name: 'db',
      type: 'password',
      key_id: 'k1',
      iv: 'aXY=',
      auth_tag: 'dGFn',
      ciphertext: 'Y3Q=',
      created_by: 'user:default/alice',
      created_at: new Date(),
      updated_by: 'user:default/alice',
      updated_at: new Date(),
      secret_updated_at: new Date(),
    };
    await knex('vault_credentials').insert(row);
    // names are unique
    // (better-sqlite3's errors are not instances of jest's Error)
    const duplicate = await knex('vault_credentials')
      .insert(row)
      .then(
        () => 'inserted',
        (error: { message: string }) => error.message,
      );
    expect(duplicate).toMatch(/unique|duplicate/i);
    expect(await knex('vault_credentials').first()).toMatchObject({
      description: '',
      username: null,
      owner: null,
    });

    await rollbackVaultMigrations(knex);
    expect(await knex.schema.hasTable('vault_credentials')).toBe(false);
    await applyVaultMigrations(knex);
    expect(await knex.schema.hasTable('vault_credentials')).toBe(true);
  });
});
