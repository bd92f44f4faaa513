import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseTicketStore } from './DatabaseTicketStore';
import {
  applyTicketsMigrations,
  rollbackTicketsMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('fulfilment steps (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    const store = await DatabaseTicketStore.create({
      database: mockServices.database({ knex }),
    });
    const { ticket } = await store.createOrGet(
      {
        key: `task:${Math.random()}:approval`,
        title: 'access',
        requester: 'user:default/frank',
        levels: [{ approvers: ['group:default/ops'] }],
      },
      'plugin:scaffolder',
    );
    return { knex, store, ticketId: ticket.id };
  }

  it('starts a step once per key, also for parallel starts, and returns what a done step made', async () => {
    const { store, ticketId } = await setup();
    const started = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.steps.begin(ticketId, 'server-access.grant', 'web-01'),
      ),
    );
    expect(new Set(started.map(s => s.step))).toEqual(
      new Set(['server-access.grant']),
    );
    // every start after the first counts as a replay
    const [row] = await store.steps.list(ticketId);
    expect(row).toMatchObject({ state: 'started', attempts: 10 });
    expect(
      await store.steps.finish(ticketId, 'server-access.grant', 'web-01', {
        grantId: 'g-1',
      }),
    ).toMatchObject({ state: 'done', result: { grantId: 'g-1' } });
    // a replay finds it done with its result, and does not count
    const replay = await store.steps.begin(
      ticketId,
      'server-access.grant',
      'web-01',
    );
    expect(replay).toMatchObject({
      state: 'done',
      attempts: 10,
      result: { grantId: 'g-1' },
    });
    // a finished step is not overwritten
    await store.steps.finish(ticketId, 'server-access.grant', 'web-01', {
      grantId: 'g-2',
    });
    expect((await store.steps.list(ticketId))[0].result).toEqual({
      grantId: 'g-1',
    });
    // another target or step is another key
    await store.steps.begin(ticketId, 'server-access.grant', 'web-02');
    await store.steps.begin(ticketId, 'database-account.account', 'web-01');
    expect(await store.steps.list(ticketId)).toHaveLength(3);
  });

  it('migrates the steps table up and down', async () => {
    const { knex } = await setup();
    expect(await knex.schema.hasTable('ticket_fulfilment_steps')).toBe(true);
    await rollbackTicketsMigrations(knex);
    expect(await knex.schema.hasTable('ticket_fulfilment_steps')).toBe(false);
    await applyTicketsMigrations(knex);
    expect(await knex.schema.hasTable('ticket_fulfilment_steps')).toBe(true);
  });
});
