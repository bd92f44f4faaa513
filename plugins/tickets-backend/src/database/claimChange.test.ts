import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { changeDigest } from '@opsdeck/plugin-tickets-node';
import { DatabaseTicketStore } from './DatabaseTicketStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const bob = 'user:default/bob';
const alice = 'user:default/alice';
const dave = 'user:default/dave';
const admins = 'group:default/admins';
const target = 'config-set:default/web';
const change = { action: 'push', setId: 1, version: 4, hosts: ['h1', 'h2'] };
const digest = changeDigest(change);

describe.each(databases.eachSupportedId())(
  'change approvals: claimChange (%s)',
  id => {
    let seq = 0;
    async function setup(options: { expiresAt?: Date; now?: () => Date } = {}) {
      const knex = await databases.init(id);
      const store = await DatabaseTicketStore.create({
        database: mockServices.database({ knex }),
        now: options.now,
      });
      seq += 1;
      const { ticket } = await store.createOrGet(
        {
          key: `change:${seq}`,
          title: 'Push web v4 to prod',
          requester: bob,
          levels: [{ approvers: [admins] }],
          details: { change },
          expiresAt: options.expiresAt,
          change: { kind: 'config-release', target, digest },
        },
        'plugin:config',
      );
      return { store, knex, ticket };
    }
    const approve = (store: DatabaseTicketStore, ticketId: number) =>
      store.decide({
        id: ticketId,
        actor: alice,
        actorRefs: [alice, admins],
        decision: 'approved',
      });
    const claim = (
      store: DatabaseTicketStore,
      ticketId: number,
      overrides: Partial<
        Parameters<DatabaseTicketStore['claimChange']>[0]
      > = {},
    ) =>
      store.claimChange({
        id: ticketId,
        kind: 'config-release',
        target,
        digest,
        claimer: bob,
        ...overrides,
      });

    it('lets exactly one of 10 parallel claims win', async () => {
      const { store, ticket } = await setup();
      await approve(store, ticket.id);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => claim(store, ticket.id)),
      );
      expect(outcomes.filter(o => o.ok)).toHaveLength(1);
      const refused = outcomes.filter(o => !o.ok);
      expect(refused).toHaveLength(9);
      for (const o of refused) expect(o).toMatchObject({ reason: 'used' });
      const winner = outcomes.find(o => o.ok)!;
      expect(winner).toMatchObject({
        ok: true,
        approvedBy: [alice],
        ticket: {
          state: 'done',
          change: { kind: 'config-release', target, digest, claimedBy: bob },
        },
      });
    });

    it('refuses a claim used before', async () => {
      const { store, ticket } = await setup();
      await approve(store, ticket.id);
      expect((await claim(store, ticket.id)).ok).toBe(true);
      expect(await claim(store, ticket.id)).toMatchObject({
        ok: false,
        reason: 'used',
      });
    });

    it('never lets the requester approve their own change', async () => {
      const { store, ticket } = await setup();
      const own = await store.decide({
        id: ticket.id,
        actor: bob,
        actorRefs: [bob, admins],
        decision: 'approved',
      });
      expect(own).toEqual({ ok: false, reason: 'own-request' });
      expect(await claim(store, ticket.id)).toMatchObject({
        ok: false,
        reason: 'not-approved',
      });
    });

    it('refuses an approval decided by its requester even if the row says approved', async () => {
      const { store, knex, ticket } = await setup();
      // a decision row by the requester, forged past the store's rule
      await knex('ticket_decisions').insert({
        ticket_id: ticket.id,
        level: 0,
        actor: bob,
        decision: 'approved',
        created_at: new Date(),
      });
      await knex('tickets')
        .where({ id: ticket.id })
        .update({ state: 'approved' });
      expect(await claim(store, ticket.id)).toMatchObject({
        ok: false,
        reason: 'not-approved',
      });
    });

    it('refuses a change altered after approval (other digest)', async () => {
      const { store, ticket } = await setup();
      await approve(store, ticket.id);
      const altered = changeDigest({ ...change, version: 5 });
      expect(await claim(store, ticket.id, { digest: altered })).toMatchObject({
        ok: false,
        reason: 'mismatch',
      });
      expect(
        await claim(store, ticket.id, { target: 'config-set:default/other' }),
      ).toMatchObject({ ok: false, reason: 'mismatch' });
      // the refusals did not use it up
      expect((await claim(store, ticket.id)).ok).toBe(true);
    });

    it('refuses a config approval used for a Kubernetes action', async () => {
      const { store, ticket } = await setup();
      await approve(store, ticket.id);
      expect(
        await claim(store, ticket.id, { kind: 'kubernetes-action' }),
      ).toMatchObject({ ok: false, reason: 'mismatch' });
    });

    it("refuses another user claiming someone's ticket", async () => {
      const { store, ticket } = await setup();
      await approve(store, ticket.id);
      expect(await claim(store, ticket.id, { claimer: dave })).toMatchObject({
        ok: false,
        reason: 'not-requester',
      });
      expect(await claim(store, ticket.id, { claimer: alice })).toMatchObject({
        ok: false,
        reason: 'not-requester',
      });
    });

    it('refuses a pending or a rejected ticket', async () => {
      const pending = await setup();
      expect(await claim(pending.store, pending.ticket.id)).toMatchObject({
        ok: false,
        reason: 'not-approved',
      });
      const rejected = await setup();
      await rejected.store.decide({
        id: rejected.ticket.id,
        actor: alice,
        actorRefs: [alice, admins],
        decision: 'rejected',
      });
      expect(await claim(rejected.store, rejected.ticket.id)).toMatchObject({
        ok: false,
        reason: 'not-approved',
      });
    });

    it('refuses an approval that expired before it was used', async () => {
      let now = new Date('2026-12-03T10:00:00Z');
      const { store, ticket } = await setup({
        expiresAt: new Date('2026-12-03T11:00:00Z'),
        now: () => now,
      });
      await approve(store, ticket.id);
      now = new Date('2026-12-03T11:00:01Z');
      expect(await claim(store, ticket.id)).toMatchObject({
        ok: false,
        reason: 'expired',
      });
    });

    it('refuses a ticket that approves no change, and an unknown one', async () => {
      const { store } = await setup();
      const { ticket: plain } = await store.createOrGet(
        {
          key: `plain:${seq}`,
          title: 'Access',
          requester: bob,
          levels: [{ approvers: [admins] }],
        },
        'x',
      );
      await approve(store, plain.id);
      expect(await claim(store, plain.id)).toMatchObject({
        ok: false,
        reason: 'mismatch',
      });
      expect(await claim(store, 999_999)).toMatchObject({
        ok: false,
        reason: 'not-found',
      });
    });
  },
);
