import { TestDatabases } from '@backstage/backend-test-utils';
import {
  applyCmdbMigrations,
  MIGRATIONS_TABLE,
  rollbackCmdbMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('CMDB migrations (%s)', id => {
  it('creates hosts and host_facts, idempotently, and rolls back', async () => {
    const knex = await databases.init(id);
    await Promise.all([applyCmdbMigrations(knex), applyCmdbMigrations(knex)]);
    await applyCmdbMigrations(knex);

    expect(await knex.schema.hasTable(MIGRATIONS_TABLE)).toBe(true);
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    const applied = await knex(MIGRATIONS_TABLE).select('name');
    expect(applied.map(r => r.name)).toEqual(['20260201000000_init.js']);

    expect(Object.keys(await knex('hosts').columnInfo()).sort()).toEqual(
      [
        'name',
        'address',
        'port',
        'login_user',
        'credential',
        'environment',
        'owner',
        'system',
        'tags',
        'description',
        'source',
        'entity_ref',
        'updated_at',
      ].sort(),
    );
    expect(Object.keys(await knex('host_facts').columnInfo()).sort()).toEqual(
      [
        'name',
        'reachable',
        'error',
        'os',
        'kernel',
        'cpu_count',
        'cpu_model',
        'mem_total_bytes',
        'disks',
        'ips',
        'uptime_seconds',
        'collected_at',
        'last_ok_at',
      ].sort(),
    );

    await knex('hosts').insert({
      name: 'h1',
      address: '192.0.2.1',
      environment: 'prod',
      owner: 'ops',
      source: 'cmdb',
      entity_ref: 'resource:default/h1',
    });
    const row = await knex('hosts').where('name', 'h1').first();
    expect(row).toMatchObject({ port: 22, tags: '[]' });
    // the name is the primary key
    const duplicate = async () =>
      knex('hosts').insert({
        name: 'h1',
        address: '192.0.2.2',
        environment: 'prod',
        owner: 'ops',
        source: 'cmdb',
        entity_ref: 'resource:default/h1',
      });
    await expect(duplicate()).rejects.toMatchObject({
      code: expect.stringMatching(/^(SQLITE_CONSTRAINT_PRIMARYKEY|23505)$/),
    });
    await knex('hosts').delete();

    await rollbackCmdbMigrations(knex);
    expect(await knex.schema.hasTable('hosts')).toBe(false);
    expect(await knex.schema.hasTable('host_facts')).toBe(false);
    await applyCmdbMigrations(knex);
    expect(await knex.schema.hasTable('hosts')).toBe(true);
  });
});
