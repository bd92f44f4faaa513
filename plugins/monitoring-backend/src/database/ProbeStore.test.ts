import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AlertStore } from './AlertStore';
import {
  applyMonitoringMigrations,
  rollbackMonitoringMigrations,
} from './migrations';
import { ProbeStore, type NewProbe } from './ProbeStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const probe: NewProbe = {
  entityRef: 'resource:default/web-01',
  kind: 'http',
  target: 'https://web-01.example.com/health',
  expectStatus: 200,
  bodyRegex: 'ok',
  intervalSeconds: 15,
};

describe.each(databases.eachSupportedId())('ProbeStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    // the plugin's migrations
    await AlertStore.create({ database: mockServices.database({ knex }) });
    return new ProbeStore(knex);
  }
  const at = new Date('2026-12-03T10:00:00Z');

  it('stores probes, publishes them as they will be, deletes them', async () => {
    const s = await store();
    const published: number[][] = [];
    const publish = async (probes: { id: number }[]) => {
      published.push(probes.map(p => p.id));
    };
    const a = await s.create(probe, 'user:default/alice', at, publish);
    const b = await s.create(
      {
        entityRef: 'resource:default/db-01',
        kind: 'tcp',
        target: 'db-01:5432',
        intervalSeconds: 60,
      },
      'user:default/bob',
      at,
      publish,
    );
    expect(a).toEqual({
      id: a.id,
      ...probe,
      createdBy: 'user:default/alice',
      createdAt: at.toISOString(),
    });
    expect(b).not.toHaveProperty('expectStatus');
    expect(b).not.toHaveProperty('bodyRegex');
    expect(
      (await s.list({ entityRef: 'resource:default/db-01' })).map(p => p.id),
    ).toEqual([b.id]);
    expect(await s.delete(a.id, 'user:default/alice', at, publish)).toBe(true);
    expect(await s.delete(a.id, 'user:default/alice', at, publish)).toBe(false);
    expect(await s.get(a.id)).toBeUndefined();
    expect(published).toEqual([[a.id], [a.id, b.id], [b.id]]);
  });

  it('keeps nothing when publishing fails', async () => {
    const s = await store();
    const refuse = async () => {
      throw new Error('refused');
    };
    await expect(
      s.create(probe, 'user:default/alice', at, refuse),
    ).rejects.toThrow('refused');
    expect(await s.list()).toEqual([]);
    const kept = await s.create(
      probe,
      'user:default/alice',
      at,
      async () => {},
    );
    await expect(
      s.delete(kept.id, 'user:default/alice', at, refuse),
    ).rejects.toThrow('refused');
    expect((await s.list()).map(p => p.id)).toEqual([kept.id]);
  });

  it('edits a probe (publishing it as it will be), keeps its creator, and nothing when publishing fails', async () => {
    const s = await store();
    const published: Array<Array<{ id: number; target: string }>> = [];
    const publish = async (probes: Array<{ id: number; target: string }>) => {
      published.push(probes.map(p => ({ id: p.id, target: p.target })));
    };
    const a = await s.create(probe, 'user:default/alice', at, publish);
    const edited = await s.update(
      a.id,
      {
        entityRef: 'resource:default/db-01',
        kind: 'tcp',
        target: 'db-01:5432',
        intervalSeconds: 30,
      },
      publish,
    );
    expect(edited).toEqual({
      id: a.id,
      entityRef: 'resource:default/db-01',
      kind: 'tcp',
      target: 'db-01:5432',
      intervalSeconds: 30,
      createdBy: 'user:default/alice',
      createdAt: at.toISOString(),
    });
    expect(published.at(-1)).toEqual([{ id: a.id, target: 'db-01:5432' }]);
    await expect(
      s.update(a.id, probe, async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await s.get(a.id)).toEqual(edited);
    expect(await s.delete(a.id, 'user:default/alice', at, publish)).toBe(true);
    expect(await s.update(a.id, probe, publish)).toBeUndefined();
    expect(await s.update(a.id + 1000, probe, publish)).toBeUndefined();
  });

  it('stores a script probe with its script and language; the migration goes down and up again', async () => {
    const knex = await databases.init(databaseId);
    await applyMonitoringMigrations(knex);
    const s = new ProbeStore(knex);
    const publish = async () => {};
    const script = {
      entityRef: 'resource:default/web-01',
      kind: 'script' as const,
      target: 'disk-root',
      script: "df -P / | awk 'NR==2 { print $5+0 }'\n",
      language: 'bash' as const,
      intervalSeconds: 30,
    };
    const created = await s.create(script, 'user:default/alice', at, publish);
    expect(await s.get(created.id)).toEqual({
      id: created.id,
      ...script,
      createdBy: 'user:default/alice',
      createdAt: at.toISOString(),
    });
    const tcp = await s.create(
      {
        entityRef: 'resource:default/db-01',
        kind: 'tcp',
        target: 'db-01:5432',
        intervalSeconds: 60,
      },
      'user:default/bob',
      at,
      publish,
    );
    expect(await s.get(tcp.id)).not.toHaveProperty('script');
    expect(await s.get(tcp.id)).not.toHaveProperty('language');
    // this migration down: the script probe's row goes with the columns
    // (the code before it knows no such kind), the others stay; then up
    const migration = require('../../migrations/20261205000000_script_probes.js');
    await migration.down(knex);
    expect(await knex.schema.hasColumn('monitoring_probes', 'script')).toBe(
      false,
    );
    expect(
      (await knex('monitoring_probes').select('id')).map(r => Number(r.id)),
    ).toEqual([tcp.id]);
    await migration.up(knex);
    expect((await s.list()).map(p => p.id)).toEqual([tcp.id]);
    // and all of them down and up again
    await rollbackMonitoringMigrations(knex);
    expect(await knex.schema.hasTable('monitoring_probes')).toBe(false);
    await applyMonitoringMigrations(knex);
    expect(await s.list()).toEqual([]);
  });
});
