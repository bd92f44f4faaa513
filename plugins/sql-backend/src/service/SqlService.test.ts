import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseSqlStore } from '../database/DatabaseSqlStore';
import { newChange } from '../__testUtils__/changes';
import { DEFAULT_MASKING_RULES, Masker } from '../console/masking';
import { Actor, SqlService } from './SqlService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function actor(name: string, groups: string[]): Actor {
  return {
    userRef: `user:default/${name}`,
    ownership: [
      `user:default/${name}`,
      ...groups.map(g => `group:default/${g}`),
    ],
    credentials: mockCredentials.user(`user:default/${name}`),
  };
}

describe('SqlService approvals', () => {
  async function setup(approverGroups = ['group:default/dba']) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    const service = new SqlService({
      store,
      catalog: catalogServiceMock(),
      auth: mockServices.auth(),
      getSecret: async () => {
        throw new Error('not used');
      },
      masker: new Masker(DEFAULT_MASKING_RULES),
      limits: { maxRows: 10, timeoutMs: 1000 },
      logger: mockServices.logger.mock(),
    });
    const id = '00000000-0000-4000-8000-0000000000a1';
    await store.createChange(newChange(id, { approverGroups }));
    return { service, id };
  }

  it('refuses the submitter and non-members, then approves', async () => {
    const { service, id } = await setup();
    await expect(
      service.changes.decide(actor('frank', ['dba']), id, 'approved'),
    ).rejects.toThrow(/cannot approve or reject their own/);
    await expect(
      service.changes.decide(actor('bob', ['ops']), id, 'approved'),
    ).rejects.toThrow(/needs a member of group:default\/dba/);
    const approved = await service.changes.decide(
      actor('carol', ['dba']),
      id,
      'approved',
      'ok',
    );
    expect(approved.status).toBe('approved');
    expect(approved.approvals).toEqual([
      expect.objectContaining({
        level: 1,
        user: 'user:default/carol',
        decision: 'approved',
        comment: 'ok',
      }),
    ]);
    await expect(
      service.changes.decide(actor('carol', ['dba']), id, 'approved'),
    ).rejects.toThrow(/not waiting for approval/);
  });

  it('walks through every level; one person approves one level only', async () => {
    const { service, id } = await setup([
      'group:default/dba',
      'group:default/ops',
    ]);
    expect(
      (
        await service.changes.decide(
          actor('carol', ['dba', 'ops']),
          id,
          'approved',
        )
      ).status,
    ).toBe('pending');
    await expect(
      service.changes.decide(actor('carol', ['dba', 'ops']), id, 'approved'),
    ).rejects.toThrow(/already approved an earlier level/);
    await expect(
      service.changes.decide(actor('dan', ['dba']), id, 'approved'),
    ).rejects.toThrow(/needs a member of group:default\/ops/);
    expect(
      (await service.changes.decide(actor('bob', ['ops']), id, 'approved'))
        .status,
    ).toBe('approved');
  });

  it('a rejection ends the change', async () => {
    const { service, id } = await setup();
    expect(
      (
        await service.changes.decide(
          actor('carol', ['dba']),
          id,
          'rejected',
          'no',
        )
      ).status,
    ).toBe('rejected');
    await expect(
      service.changes.execute(actor('carol', ['dba']), id),
    ).rejects.toThrow(/only approved changes run/);
  });
});
