import { TestDatabases } from '@backstage/backend-test-utils';
import {
  applyVaultMigrations,
  migrationsDir,
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
    expect(applied.map(r => r.name)).toEqual([
      '20260301000000_init.js',
      '20261201000000_credential_policy.js',
    ]);

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
        'allowed_uses',
        'allowed_systems',
        'allowed_environments',
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
      allowed_uses: '[]',
      allowed_systems: '[]',
      allowed_environments: '[]',
    });

    await rollbackVaultMigrations(knex);
    expect(await knex.schema.hasTable('vault_credentials')).toBe(false);
    await applyVaultMigrations(knex);
    expect(await knex.schema.hasTable('vault_credentials')).toBe(true);
  });

  it('gives existing credentials a policy that widens nothing, and rolls back to the old columns', async () => {
    const knex = await databases.init(id);
    const config = { directory: migrationsDir, tableName: MIGRATIONS_TABLE };
    await knex.migrate.up({ ...config, name: '20260301000000_init.js' });
    const row = (name: string, type: string, owner: string | null) => ({
      name,
      type,
      owner,
      key_id: 'k1',
      iv: 'aXY=',
      auth_tag: 'dGFn',
      ciphertext: 'Y3Q=',
      created_by: 'user:default/alice',
      created_at: new Date(),
      updated_by: 'user:default/alice',
      updated_at: new Date(),
      secret_updated_at: new Date(),
    });
    await knex('vault_credentials').insert([
      row('ops-ssh', 'ssh-key', 'group:default/ops'),
      row('db-prod-admin', 'password', 'group:default/dba'),
      row('orphan-key', 'ssh-key', null),
    ]);

    await knex.migrate.up({
      ...config,
      name: '20261201000000_credential_policy.js',
    });
    const after = await knex('vault_credentials')
      .select(
        'name',
        'owner',
        'allowed_uses',
        'allowed_systems',
        'allowed_environments',
      )
      .orderBy('name');
    expect(after).toEqual([
      {
        name: 'db-prod-admin',
        owner: 'group:default/dba',
        allowed_uses: '[]',
        allowed_systems: '[]',
        allowed_environments: '[]',
      },
      {
        name: 'ops-ssh',
        owner: 'group:default/ops',
        allowed_uses: '["ssh-login"]',
        allowed_systems: '[]',
        allowed_environments: '[]',
      },
      {
        name: 'orphan-key',
        owner: null,
        allowed_uses: '["ssh-login"]',
        allowed_systems: '[]',
        allowed_environments: '[]',
      },
    ]);

    await knex.migrate.down(config);
    const columns = Object.keys(await knex('vault_credentials').columnInfo());
    expect(columns).not.toContain('allowed_uses');
    expect(columns).not.toContain('allowed_systems');
    expect(columns).not.toContain('allowed_environments');
    expect(
      (await knex('vault_credentials').select('name')).map(r => r.name).sort(),
    ).toEqual(['db-prod-admin', 'ops-ssh', 'orphan-key']);
  });
});
