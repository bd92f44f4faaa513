import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import { ConfigStore } from '../database/ConfigStore';
import { applyConfigMigrations } from '../database/migrations';
import type { Releaser } from '../release/Releaser';
import { ConfigService, type Caller } from './ConfigService';

// A rollback is checked against the hosts it resolved, then pushed: the push
// must go to exactly those hosts. Before the fix it resolved the selector a
// second time and, its gate "already passed", pushed to whatever the catalog
// answered then: a host that had become prod in between was pushed to
// without config.push.prod or an approval.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const host = (name: string, environment: string): HostTarget => ({
  name,
  entityRef: `resource:default/${name}`,
  address: '127.0.0.1',
  port: 1,
  environment,
  owner: 'group:default/ops',
  tags: ['edge'],
});

const bob: Caller = {
  ref: 'user:default/bob',
  credentials: mockCredentials.user('user:default/bob'),
  mayPushProd: false,
};

async function setUp(answers: HostTarget[][]) {
  const knex = await databases.init('SQLITE_3');
  await applyConfigMigrations(knex);
  const store = new ConfigStore(knex);
  // the catalog answers differently each time it is asked (it changed)
  let calls = 0;
  const resolveHosts = jest.fn(
    async () => answers[Math.min(calls++, answers.length - 1)],
  );
  const start = jest.fn(async () => undefined);
  const service = new ConfigService({
    store,
    releaser: { start } as unknown as Releaser,
    hosts: { resolveHosts },
    ssh: {} as any,
    sshTargets: () => async () => {
      throw new Error('no host is reached in this test');
    },
    logger: mockServices.logger.mock(),
  } as any);
  const set = await store.createSet(
    {
      name: 'edge',
      kind: 'text',
      owner: 'group:default/ops',
      selector: { tags: ['edge'] },
      targetPath: '/tmp/edge.conf',
    },
    bob.ref,
  );
  for (const template of ['a\n', 'b\n']) {
    await service.saveVersion(
      set.id,
      { template, variables: {}, message: template },
      bob,
    );
  }
  return { service, set, start, resolveHosts };
}

describe('config: a rollback pushes to the hosts its gate checked', () => {
  it('never pushes to a host that became prod after the rollback was checked', async () => {
    const stg = host('cfg-stg', 'staging');
    const { service, set, start } = await setUp([
      [stg],
      [stg, host('cfg-prd', 'prod')],
    ]);
    const outcome = await service.rollbackGated(set.id, { toVersion: 1 }, bob);
    if (outcome.requested) throw new Error('no ticket was asked for');
    expect(outcome.release.hosts.map(h => h.host)).toEqual([stg.entityRef]);
    expect(start).toHaveBeenCalledTimes(1);
    const pushedTo = (start.mock.calls[0] as unknown[])[3] as HostTarget[];
    expect(pushedTo.map(h => h.name)).toEqual(['cfg-stg']);
  });
});
