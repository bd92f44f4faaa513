import { TestDatabases } from '@backstage/backend-test-utils';
import type { CauseInput } from '@opsdeck/plugin-cicd-common';
import { CauseStore, STORED_CAUSE_WEIGHT } from './CauseStore';
import { applyCicdMigrations, rollbackCicdMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const input: CauseInput = {
  name: 'License server unreachable',
  category: 'environment',
  patterns: [String.raw`license server \S+ unreachable`, '^LIC-\\d{3}:'],
  runbook: 'https://wiki.example.com/runbooks/license',
};

describe.each(databases.eachSupportedId())('CauseStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    return { knex, store: new CauseStore(knex) };
  }

  it('stores causes with their patterns, author and time, and lists them oldest first', async () => {
    const { store: s } = await store();
    expect(await s.list()).toEqual([]);
    const at = Date.UTC(2026, 11, 3, 7, 30);
    const first = await s.add(input, 'user:default/dave', at);
    expect(first).toEqual({
      id: expect.stringMatching(/^user-[1-9]\d*$/),
      source: 'stored',
      category: 'environment',
      title: { en: input.name, 'zh-CN': input.name },
      patterns: input.patterns,
      weight: STORED_CAUSE_WEIGHT,
      runbook: input.runbook,
      createdBy: 'user:default/dave',
      createdAt: '2026-12-03T07:30:00.000Z',
    });
    const second = await s.add(
      { name: '磁盘告警', category: 'resources', patterns: ['磁盘已满'] },
      'user:default/bob',
      at + 1000,
    );
    expect(second.runbook).toBe('');
    expect(second.title['zh-CN']).toBe('磁盘告警');
    expect((await s.list()).map(c => c.id)).toEqual([first.id, second.id]);
    expect(await s.count()).toBe(2);
    expect(await s.get(second.id)).toEqual(second);
  });

  it('deletes by id, and knows no other id form', async () => {
    const { store: s } = await store();
    const a = await s.add(input, 'user:default/dave');
    const b = await s.add(input, 'user:default/dave');
    for (const bad of [
      '1',
      'user-0',
      'user-x',
      `${a.id} `,
      'typescript-compile',
    ]) {
      expect([bad, await s.get(bad), await s.delete(bad)]).toEqual([
        bad,
        undefined,
        false,
      ]);
    }
    expect(await s.delete(a.id)).toBe(true);
    expect(await s.delete(a.id)).toBe(false);
    expect(await s.get(a.id)).toBeUndefined();
    expect((await s.list()).map(c => c.id)).toEqual([b.id]);
    // ids are not reused: a set of ids names one knowledge base
    const c = await s.add(input, 'user:default/dave');
    expect(c.id).not.toBe(a.id);
  });

  it('migrates up and down', async () => {
    const { knex } = await store();
    expect(await knex.schema.hasTable('cicd_causes')).toBe(true);
    await rollbackCicdMigrations(knex);
    expect(await knex.schema.hasTable('cicd_causes')).toBe(false);
    await applyCicdMigrations(knex);
    expect(await knex.schema.hasTable('cicd_causes')).toBe(true);
  });
});
