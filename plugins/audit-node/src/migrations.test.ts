import { TestDatabases } from '@backstage/backend-test-utils';
import {
  applyAuditMigrations,
  MIGRATIONS_TABLE,
  rollbackAuditMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('audit migrations (%s)', id => {
  it('creates audit_events with its indexes, idempotently, and rolls back', async () => {
    const knex = await databases.init(id);

    // run twice concurrently and once more: must all succeed
    await Promise.all([applyAuditMigrations(knex), applyAuditMigrations(knex)]);
    await applyAuditMigrations(knex);

    expect(await knex.schema.hasTable('audit_events')).toBe(true);
    expect(await knex.schema.hasTable(MIGRATIONS_TABLE)).toBe(true);
    // the default knex_migrations table is not used
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    const applied = await knex(MIGRATIONS_TABLE).select('name');
    expect(applied.map(r => r.name)).toEqual([
      '20260101000000_init.js',
      '20260601000000_attribution.js',
    ]);

    const columns = await knex('audit_events').columnInfo();
    expect(Object.keys(columns).sort()).toEqual(
      [
        'action',
        'actor',
        'error',
        'id',
        'ip',
        'meta',
        'occurred_at',
        'outcome',
        'plugin',
        'request_id',
        'severity',
        'status',
        'target',
        'via',
      ].sort(),
    );

    const indexNames =
      id === 'SQLITE_3'
        ? (
            await knex.raw(
              `select name from sqlite_master where type = 'index' and tbl_name = 'audit_events'`,
            )
          ).map((r: { name: string }) => r.name)
        : (
            await knex.raw(
              `select indexname as name from pg_indexes where tablename = 'audit_events'`,
            )
          ).rows.map((r: { name: string }) => r.name);
    expect(indexNames).toEqual(
      expect.arrayContaining([
        'audit_events_actor_idx',
        'audit_events_action_idx',
        'audit_events_plugin_idx',
        'audit_events_target_idx',
        'audit_events_occurred_at_idx',
        'audit_events_outcome_idx',
      ]),
    );

    // ids are monotonic
    const [first] = await knex('audit_events')
      .insert({
        occurred_at: new Date(),
        plugin: 'p',
        action: 'a',
        severity: 'low',
        status: 'succeeded',
      })
      .returning('id');
    const [second] = await knex('audit_events')
      .insert({
        occurred_at: new Date(),
        plugin: 'p',
        action: 'a',
        severity: 'low',
        status: 'succeeded',
      })
      .returning('id');
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));
    const row = await knex('audit_events').where('id', first.id).first();
    expect(row).toMatchObject({
      actor: '',
      via: '',
      outcome: 'success',
      target: '',
      meta: '{}',
    });

    await rollbackAuditMigrations(knex);
    expect(await knex.schema.hasTable('audit_events')).toBe(false);

    // and up again after down
    await applyAuditMigrations(knex);
    expect(await knex.schema.hasTable('audit_events')).toBe(true);
  });

  it('re-attributes plugin-reported events to the person they name, and sets outcomes', async () => {
    const knex = await databases.init(id);
    // the schema before the attribution migration
    await knex.migrate.up({
      directory: require('node:path').resolve(__dirname, '../migrations'),
      tableName: MIGRATIONS_TABLE,
      name: '20260101000000_init.js',
    });
    const base = {
      occurred_at: new Date(),
      plugin: 'bastion',
      severity: 'medium',
    };
    await knex('audit_events').insert([
      {
        ...base,
        action: 'session-open',
        status: 'succeeded',
        actor: 'plugin:bastion',
        meta: JSON.stringify({ actor: 'user:default/dave', sessionId: 's1' }),
      },
      {
        ...base,
        action: 'grant-create',
        status: 'failed',
        actor: 'user:default/erin',
        error: 'You are not allowed to create access grants',
        meta: '{}',
      },
      {
        ...base,
        action: 'grant-create',
        status: 'failed',
        actor: 'plugin:scaffolder',
        error: 'boom',
        meta: JSON.stringify({ actor: 'group:default/ops' }),
      },
    ]);
    await applyAuditMigrations(knex);
    const rows = await knex('audit_events')
      .select('action', 'actor', 'via', 'outcome', 'meta')
      .orderBy('id');
    expect(rows).toEqual([
      {
        action: 'session-open',
        actor: 'user:default/dave',
        via: 'plugin:bastion',
        outcome: 'success',
        meta: '{"sessionId":"s1"}',
      },
      {
        action: 'grant-create',
        actor: 'user:default/erin',
        via: '',
        outcome: 'denied',
        meta: '{}',
      },
      {
        action: 'grant-create',
        actor: 'plugin:scaffolder',
        via: '',
        outcome: 'failed',
        meta: '{"actor":"group:default/ops"}',
      },
    ]);
  });
});
