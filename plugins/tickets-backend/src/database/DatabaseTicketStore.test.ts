import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseTicketStore } from './DatabaseTicketStore';
import { NewTicket } from '../model';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const frank = 'user:default/frank';
const carol = 'user:default/carol';
const bob = 'user:default/bob';
const dba = 'group:default/dba';
const ops = 'group:default/ops';

function ticket(key: string, overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    key,
    title: `Request ${key}`,
    requester: frank,
    levels: [{ approvers: [dba] }],
    details: { database: 'resource:default/pay-db-main' },
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseTicketStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    return DatabaseTicketStore.create({
      database: mockServices.database({ knex }),
    });
  }

  it('creates a ticket once per key, awaiting the first level, with history', async () => {
    const store = await createStore();
    const first = await store.createOrGet(
      ticket('task:1:approval'),
      'plugin:scaffolder',
    );
    expect(first.created).toBe(true);
    expect(first.ticket).toMatchObject({
      state: 'awaiting_approval',
      requester: frank,
      currentLevel: 0,
      assignees: [dba],
      details: { database: 'resource:default/pay-db-main' },
    });
    const again = await store.createOrGet(
      ticket('task:1:approval', { title: 'other' }),
      'plugin:scaffolder',
    );
    expect(again.created).toBe(false);
    expect(again.ticket.id).toBe(first.ticket.id);
    expect(again.ticket.title).toBe('Request task:1:approval');
    const detail = await store.getDetail(first.ticket.id);
    expect(detail!.history.map(h => h.toState)).toEqual([
      'submitted',
      'awaiting_approval',
    ]);
  });

  it('lists my requests, my inbox (through groups, never my own) and filters', async () => {
    const store = await createStore();
    const a = await store.createOrGet(ticket('a'), 'x');
    await store.createOrGet(
      ticket('b', { requester: carol, title: 'Carol asks dba' }),
      'x',
    );
    await store.createOrGet(
      ticket('c', { levels: [{ approvers: [ops] }], title: 'Server access' }),
      'x',
    );
    const mine = await store.list({ requester: frank });
    expect(mine.total).toBe(2);
    const carolsInbox = await store.list({
      approverRefs: [carol, dba],
      excludeRequester: carol,
    });
    expect(carolsInbox.items.map(t => t.id)).toEqual([a.ticket.id]);
    const bobsInbox = await store.list({
      approverRefs: [bob, ops],
      excludeRequester: bob,
    });
    expect(bobsInbox.items.map(t => t.title)).toEqual(['Server access']);
    expect((await store.list({ q: 'SERVER' })).total).toBe(1);
    expect((await store.list({ state: 'approved' })).total).toBe(0);
    expect((await store.list({ limit: 2 })).items).toHaveLength(2);
  });

  it('refuses the requester, non-approvers and decisions on closed tickets', async () => {
    const store = await createStore();
    const { ticket: t } = await store.createOrGet(ticket('d'), 'x');
    expect(
      await store.decide({
        id: t.id,
        actor: frank,
        actorRefs: [frank, dba],
        decision: 'approved',
      }),
    ).toEqual({ ok: false, reason: 'own-request' });
    expect(
      await store.decide({
        id: t.id,
        actor: bob,
        actorRefs: [bob, ops],
        decision: 'approved',
      }),
    ).toEqual({ ok: false, reason: 'not-approver' });
    const rejected = await store.decide({
      id: t.id,
      actor: carol,
      actorRefs: [carol, dba],
      decision: 'rejected',
      comment: 'no reason given',
    });
    expect(rejected).toMatchObject({ ok: true, ticket: { state: 'rejected' } });
    expect(
      await store.decide({
        id: t.id,
        actor: carol,
        actorRefs: [carol, dba],
        decision: 'approved',
      }),
    ).toEqual({ ok: false, reason: 'not-awaiting' });
    expect(
      await store.decide({
        id: 9999,
        actor: carol,
        actorRefs: [dba],
        decision: 'approved',
      }),
    ).toEqual({ ok: false, reason: 'not-found' });
  });

  it('goes through several levels in order, then fulfilment states', async () => {
    const store = await createStore();
    const { ticket: t } = await store.createOrGet(
      ticket('e', { levels: [{ approvers: [dba] }, { approvers: [ops] }] }),
      'x',
    );
    // ops cannot decide level 1
    expect(
      await store.decide({
        id: t.id,
        actor: bob,
        actorRefs: [bob, ops],
        decision: 'approved',
      }),
    ).toEqual({ ok: false, reason: 'not-approver' });
    const one = await store.decide({
      id: t.id,
      actor: carol,
      actorRefs: [carol, dba],
      decision: 'approved',
    });
    expect(one).toMatchObject({
      ok: true,
      ticket: { state: 'awaiting_approval', currentLevel: 1, assignees: [ops] },
    });
    const two = await store.decide({
      id: t.id,
      actor: bob,
      actorRefs: [bob, ops],
      decision: 'approved',
    });
    expect(two).toMatchObject({ ok: true, ticket: { state: 'approved' } });
    expect(
      await store.transition({
        id: t.id,
        actor: 'plugin:scaffolder',
        to: 'done',
        from: ['fulfilling'],
      }),
    ).toBeUndefined();
    await store.transition({
      id: t.id,
      actor: 'plugin:scaffolder',
      to: 'fulfilling',
      from: ['approved'],
    });
    const done = await store.transition({
      id: t.id,
      actor: 'plugin:scaffolder',
      to: 'done',
      from: ['fulfilling'],
      result: { credential: 'db-x' },
      message: 'ready',
    });
    expect(done!.ticket).toMatchObject({
      state: 'done',
      result: { credential: 'db-x' },
      message: 'ready',
    });
    const detail = await store.getDetail(t.id);
    expect(detail!.decisions.map(d => [d.level, d.actor, d.decision])).toEqual([
      [0, carol, 'approved'],
      [1, bob, 'approved'],
    ]);
    expect(detail!.history.map(h => h.toState)).toEqual([
      'submitted',
      'awaiting_approval',
      'awaiting_approval',
      'approved',
      'fulfilling',
      'done',
    ]);
  });

  it('rejects expired approvals only', async () => {
    const store = await createStore();
    const now = Date.now();
    const old = await store.createOrGet(
      ticket('f', { expiresAt: new Date(now - 1000) }),
      'x',
    );
    const fresh = await store.createOrGet(
      ticket('g', { expiresAt: new Date(now + 3_600_000) }),
      'x',
    );
    const expired = await store.expireDue(new Date(now));
    expect(expired.map(t => t.id)).toEqual([old.ticket.id]);
    expect((await store.get(old.ticket.id))!.state).toBe('rejected');
    expect((await store.get(fresh.ticket.id))!.state).toBe('awaiting_approval');
    expect(await store.expireDue(new Date(now))).toEqual([]);
  });

  it('keeps comments', async () => {
    const store = await createStore();
    const { ticket: t } = await store.createOrGet(ticket('h'), 'x');
    await store.addComment(t.id, carol, 'Which schema?');
    expect(await store.addComment(4242, carol, 'nope')).toBeUndefined();
    const detail = await store.getDetail(t.id);
    expect(detail!.comments.map(c => [c.author, c.body])).toEqual([
      [carol, 'Which schema?'],
    ]);
  });
});
