import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { DEFAULT_RUN_OPTIONS, TargetHost } from '../model';
import { groupRunOutputs } from './outputGroups';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const host = (name: string): TargetHost => ({
  name,
  entityRef: `resource:default/${name}`,
  address: '127.0.0.1',
  port: 22,
  tags: [],
});

describe.each(databases.eachSupportedId())('groupRunOutputs (%s)', id => {
  async function runWith(count: number) {
    const knex = await databases.init(id);
    await DatabaseJobStore.create({
      database: mockServices.database({ knex }),
    });
    const store = new DatabaseJobStore(knex);
    const job = await store.createJob(
      {
        name: 'uname',
        description: '',
        language: 'sh',
        script: 'uname -r',
        parameters: [],
        notifyOnFailure: false,
      },
      'user:default/bob',
    );
    const names = Array.from(
      { length: count },
      (_, i) => `h-${String(i).padStart(3, '0')}`,
    );
    const run = await store.createRun({
      job,
      hosts: names.map(host),
      selector: { names },
      params: {},
      options: DEFAULT_RUN_OPTIONS,
      runnerId: 'r1',
      trigger: 'manual',
      triggeredBy: 'user:default/bob',
    });
    return { store, run, names };
  }

  it('groups identical results across pages, largest group first', async () => {
    const { store, run, names } = await runWith(230);
    for (const [i, name] of names.entries()) {
      // 198 hosts print the same kernel, 29 another, 3 fail the same way
      let patch;
      if (i % 77 === 5) {
        patch = {
          status: 'failed',
          exitCode: 127,
          stderr: 'uname: not found\n',
        };
      } else if (i % 8 === 1) {
        patch = { status: 'succeeded', exitCode: 0, stdout: '6.1.0-old\n' };
      } else {
        patch = { status: 'succeeded', exitCode: 0, stdout: '6.1.0-28\n' };
      }
      await store.updateRunHost(run.id, name, patch as any);
    }
    const { hosts, groups } = await groupRunOutputs(store, run.id);
    expect(hosts).toBe(230);
    expect(
      groups.map(g => [g.hosts.length, g.status, g.exitCode, g.stdout]),
    ).toEqual([
      [198, 'succeeded', 0, '6.1.0-28\n'],
      [29, 'succeeded', 0, '6.1.0-old\n'],
      [3, 'failed', 127, ''],
    ]);
    expect(groups[2].hosts).toEqual(['h-005', 'h-082', 'h-159']);
    expect(groups[2].stderr).toBe('uname: not found\n');
    expect(new Set(groups.flatMap(g => g.hosts)).size).toBe(230);
    expect(groups.every(g => /^[0-9a-f]{16}$/.test(g.digest))).toBe(true);
  });

  it('tells apart outputs that only differ in where stdout ends and stderr begins', async () => {
    const { store, run, names } = await runWith(2);
    await store.updateRunHost(run.id, names[0], {
      status: 'succeeded',
      exitCode: 0,
      stdout: 'ab',
      stderr: 'c',
    });
    await store.updateRunHost(run.id, names[1], {
      status: 'succeeded',
      exitCode: 0,
      stdout: 'a',
      stderr: 'bc',
    });
    const { groups } = await groupRunOutputs(store, run.id);
    expect(groups).toHaveLength(2);
  });

  it('keeps hosts with the same output but another exit code apart', async () => {
    const { store, run, names } = await runWith(2);
    await store.updateRunHost(run.id, names[0], {
      status: 'failed',
      exitCode: 1,
      stdout: 'x',
    });
    await store.updateRunHost(run.id, names[1], {
      status: 'failed',
      exitCode: 2,
      stdout: 'x',
    });
    const { groups } = await groupRunOutputs(store, run.id);
    expect(groups.map(g => g.exitCode)).toEqual([1, 2]);
  });
});
