import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  actionContext,
  as,
  eventually,
  startTicketsBackend,
} from '../__testUtils__/ticketsBackend';
import { createApprovalAction } from './approvalAction';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const catalog = catalogServiceMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'pay-db-main', namespace: 'default' },
      spec: { type: 'database', owner: 'dba' },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/dba' }],
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'web-01', namespace: 'default' },
      spec: { type: 'host', owner: 'ops' },
    },
  ],
});

describe.each(databases.eachSupportedId())(
  'opsdeck:approval:request (%s)',
  id => {
    async function setup() {
      const knex = await databases.init(id);
      const tickets = await startTicketsBackend(knex);
      const action = createApprovalAction({
        tickets: tickets.client,
        catalog,
        auth: mockServices.auth(),
        pollIntervalMs: 20,
      });
      return { knex, tickets, action };
    }

    /** The id of the ticket the step opened, once it exists. */
    async function ticketOf(
      server: any,
      title: string,
    ): Promise<{ id: number; state: string }> {
      return eventually(async () => {
        const res = await request(server)
          .get('/api/tickets/tickets?view=all')
          .set('Authorization', as('alice'));
        return res.body.items?.find((t: any) => t.title === title);
      });
    }

    it('refuses picked hosts or databases that are not in the catalog, or of another type, before opening a ticket', async () => {
      const { tickets, action } = await setup();
      for (const [input, message] of [
        [
          { hosts: ['resource:default/web-01', 'web-99'] },
          /resource:default\/web-99 does not exist in the catalog/,
        ],
        [
          { hosts: ['resource:default/pay-db-main'] },
          /is a Resource of type database, not a host/,
        ],
        [{ hosts: [] }, /Choose at least one host/],
        [
          { database: 'resource:default/web-01' },
          /is a Resource of type host, not a database/,
        ],
      ] as const) {
        const { ctx } = actionContext(
          { title: 'bad pick', approvers: ['group:default/ops'], ...input },
          { user: 'frank', taskId: `task-bad-${JSON.stringify(input)}` },
        );
        await expect(action.handler(ctx)).rejects.toThrow(message);
      }
      const all = await request(tickets.server)
        .get('/api/tickets/tickets?view=all')
        .set('Authorization', as('alice'));
      expect(all.body.items.filter((t: any) => t.title === 'bad pick')).toEqual(
        [],
      );
      // good picks pass and open the ticket
      const { ctx } = actionContext(
        {
          title: 'good pick',
          approvers: ['group:default/ops'],
          hosts: ['resource:default/web-01'],
          database: 'pay-db-main',
        },
        { user: 'frank', taskId: 'task-good-pick' },
      );
      const controller = new AbortController();
      const run = action.handler({ ...ctx, signal: controller.signal });
      expect((await ticketOf(tickets.server, 'good pick')).state).toBe(
        'awaiting_approval',
      );
      controller.abort();
      await expect(run).rejects.toThrow(/cancelled/);
      await tickets.backend.stop();
    });

    it('waits for the dba group; the requester cannot approve; carol can', async () => {
      const { tickets, action } = await setup();
      const { ctx, outputs } = actionContext(
        {
          title: 'read-only on pay-db-main',
          approvers: ['group:default/dba'],
          details: { privilege: 'read-only' },
        },
        { user: 'frank', taskId: 'task-a' },
      );
      let finished = false;
      const run = action.handler(ctx).finally(() => {
        finished = true;
      });
      const ticket = await ticketOf(tickets.server, 'read-only on pay-db-main');
      expect(ticket.state).toBe('awaiting_approval');
      // approvers are notified, the requester is not among them
      expect(tickets.sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/dba'],
        excludeEntityRef: 'user:default/frank',
      });

      // frank is in no approver group, and it is his own request anyway
      const self = await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('frank'))
        .send({ decision: 'approve' });
      expect(self.status).toBe(403);
      // bob (ops) is not an approver of this ticket
      const bob = await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve' });
      expect(bob.status).toBe(403);
      expect(finished).toBe(false);

      // carol sees it in her inbox and approves
      const inbox = await request(tickets.server)
        .get('/api/tickets/tickets?view=inbox')
        .set('Authorization', as('carol'));
      expect(inbox.body.items.map((t: any) => t.id)).toEqual([ticket.id]);
      const approve = await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'approve', comment: 'ok' });
      expect(approve.status).toBe(200);
      await run;
      expect(outputs).toEqual({
        ticketId: ticket.id,
        approvedBy: ['user:default/carol'],
      });
      // the requester hears about the outcome
      expect(tickets.sent.at(-1)).toMatchObject({
        recipients: { type: 'entity', entityRef: 'user:default/frank' },
        payload: { title: expect.stringContaining('approved') },
      });
      await tickets.backend.stop();
    });

    it('a requester who is also an approver still cannot approve their own request', async () => {
      const { tickets, action } = await setup();
      const controller = new AbortController();
      const { ctx } = actionContext(
        { title: 'carol asks dba', approvers: ['dba'] },
        { user: 'carol', taskId: 'task-self', signal: controller.signal },
      );
      const run = action.handler(ctx);
      const ticket = await ticketOf(tickets.server, 'carol asks dba');
      const self = await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'approve' });
      expect(self.status).toBe(403);
      expect(self.body.error.message).toMatch(/own request/);
      const inbox = await request(tickets.server)
        .get('/api/tickets/tickets?view=inbox')
        .set('Authorization', as('carol'));
      expect(inbox.body.items).toEqual([]);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('alice'))
        .send({ decision: 'reject' });
      // alice is not dba either: still waiting
      expect(
        (
          await request(tickets.server)
            .get(`/api/tickets/tickets/${ticket.id}`)
            .set('Authorization', as('alice'))
        ).body.state,
      ).toBe('awaiting_approval');
      controller.abort();
      await expect(run).rejects.toThrow(/cancelled/);
      await tickets.backend.stop();
    });

    it('fails the step when rejected, with who and why', async () => {
      const { tickets, action } = await setup();
      const { ctx, outputs } = actionContext(
        {
          title: 'rw please',
          approvers: ['owner:resource:default/pay-db-main'],
        },
        { user: 'frank', taskId: 'task-b' },
      );
      const run = action.handler(ctx);
      const ticket = await ticketOf(tickets.server, 'rw please');
      const detail = await request(tickets.server)
        .get(`/api/tickets/tickets/${ticket.id}`)
        .set('Authorization', as('carol'));
      expect(detail.body.assignees).toEqual(['group:default/dba']);
      expect(detail.body.canDecide).toBe(true);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'reject', comment: 'use the replica' })
        .expect(200);
      await expect(run).rejects.toThrow(
        `Ticket ${ticket.id} was rejected by user:default/carol: use the replica`,
      );
      expect(outputs).toEqual({});
      await tickets.backend.stop();
    });

    it('rejects automatically when the approval expires', async () => {
      const { tickets, action } = await setup();
      const { ctx } = actionContext(
        // 3.6 ms: expired by the first poll
        { title: 'too late', approvers: ['dba'], expiresInHours: 0.000001 },
        { user: 'frank', taskId: 'task-c' },
      );
      await expect(action.handler(ctx)).rejects.toThrow(
        /was rejected: Expired/,
      );
      const ticket = await ticketOf(tickets.server, 'too late');
      expect(ticket.state).toBe('rejected');
      await tickets.backend.stop();
    });

    it('goes through several levels in order', async () => {
      const { tickets, action } = await setup();
      const { ctx, outputs } = actionContext(
        { title: 'two levels', levels: [['dba'], ['group:default/ops']] },
        { user: 'frank', taskId: 'task-d' },
      );
      const run = action.handler(ctx);
      const ticket = await ticketOf(tickets.server, 'two levels');
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve' })
        .expect(403);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'approve' })
        .expect(200);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve' })
        .expect(200);
      await run;
      expect(outputs.approvedBy).toEqual([
        'user:default/carol',
        'user:default/bob',
      ]);
      await tickets.backend.stop();
    });

    it('after a backend restart the re-run step keeps waiting on the same ticket', async () => {
      const { knex, tickets, action } = await setup();
      const controller = new AbortController();
      const first = actionContext(
        { title: 'survives restart', approvers: ['dba'] },
        { user: 'frank', taskId: 'task-r', signal: controller.signal },
      );
      const run1 = action.handler(first.ctx);
      const ticket = await ticketOf(tickets.server, 'survives restart');
      // the process dies: the task stops, the backend goes away
      controller.abort();
      await expect(run1).rejects.toThrow(/cancelled/);
      await tickets.backend.stop();

      // a new backend on the same database; the scaffolder re-runs the step
      const restarted = await startTicketsBackend(knex);
      const action2 = createApprovalAction({
        tickets: restarted.client,
        catalog,
        auth: mockServices.auth(),
        pollIntervalMs: 20,
      });
      const second = actionContext(
        { title: 'survives restart', approvers: ['dba'] },
        { user: 'frank', taskId: 'task-r' },
      );
      const run2 = action2.handler(second.ctx);
      await request(restarted.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('carol'))
        .send({ decision: 'approve' })
        .expect(200);
      await run2;
      expect(second.outputs.ticketId).toBe(ticket.id);
      const all = await request(restarted.server)
        .get('/api/tickets/tickets?q=survives')
        .set('Authorization', as('alice'));
      expect(all.body.total).toBe(1);
      await restarted.backend.stop();
    });
  },
);
