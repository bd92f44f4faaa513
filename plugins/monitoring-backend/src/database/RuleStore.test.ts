import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AlertStore } from './AlertStore';
import { RuleStore, type RuleInput } from './RuleStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const input: RuleInput = {
  name: 'hosts down',
  template: 'host-down',
  scope: { owner: 'ops' },
  params: {},
  enabled: true,
};

describe.each(databases.eachSupportedId())('RuleStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    // the plugin's migrations
    await AlertStore.create({ database: mockServices.database({ knex }) });
    return new RuleStore(knex);
  }

  it('versions every write and publishes the rules as they will be', async () => {
    const s = await store();
    const published: number[][] = [];
    const publish = async (rules: { version: number }[]) => {
      published.push(rules.map(r => r.version));
    };
    const rule = await s.write(
      { input },
      'user:default/bob',
      new Date(),
      publish,
    );
    await s.write(
      { id: rule.id, input: { ...input, name: 'renamed' } },
      'user:default/alice',
      new Date(),
      publish,
    );
    await s.write(
      { id: rule.id, deleted: true },
      'user:default/bob',
      new Date(),
      publish,
    );
    expect(published).toEqual([[1], [2], []]);
    expect(await s.list()).toEqual([]);
    expect(
      (await s.versions(rule.id)).map(v => [
        v.version,
        v.by,
        (v.rule as any).name,
      ]),
    ).toEqual([
      [3, 'user:default/bob', 'renamed'],
      [2, 'user:default/alice', 'renamed'],
      [1, 'user:default/bob', 'hosts down'],
    ]);
  });

  it('keeps nothing when publishing fails', async () => {
    const s = await store();
    await expect(
      s.write({ input }, 'user:default/bob', new Date(), async () => {
        throw new Error('promtool refused');
      }),
    ).rejects.toThrow('promtool refused');
    expect(await s.list()).toEqual([]);
  });
});
