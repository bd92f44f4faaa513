import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import {
  actionContext,
  as,
  eventually,
  startTicketsBackend,
} from '../__testUtils__/ticketsBackend';
import { createApprovalAction } from './approvalAction';
import { createConfirmAction } from './confirmAction';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'opsdeck:ticket:confirm (%s)',
  id => {
    async function setup() {
      const knex = await databases.init(id);
      const tickets = await startTicketsBackend(knex);
      const deps = {
        tickets: tickets.client,
        catalog: catalogServiceMock(),
        auth: mockServices.auth(),
        pollIntervalMs: 20,
      };
      return {
        tickets,
        confirm: createConfirmAction(deps),
        approval: createApprovalAction(deps),
      };
    }

    async function ticketOf(server: any, title: string, viewer = 'alice') {
      return eventually(async () => {
        const res = await request(server)
          .get('/api/tickets/tickets?view=all')
          .set('Authorization', as(viewer));
        return res.body.items?.find((t: any) => t.title === title);
      });
    }

    it('bug flow: the assignee marks it fixed, only the REPORTER confirms', async () => {
      const { tickets, confirm, approval } = await setup();
      // frank reports a bug assigned to bob: bob marks it fixed
      const fix = actionContext(
        { title: 'Fix: login fails', approvers: ['user:default/bob'] },
        { user: 'frank', taskId: 'bug-1', stepId: 'fix' },
      );
      const fixing = approval.handler(fix.ctx);
      const fixTicket = await ticketOf(tickets.server, 'Fix: login fails');
      await request(tickets.server)
        .post(`/api/tickets/tickets/${fixTicket.id}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve', comment: 'fixed in 1.2.3' })
        .expect(200);
      await fixing;

      const verify = actionContext(
        { title: 'Verify: login fails', confirmer: 'requester' },
        { user: 'frank', taskId: 'bug-1', stepId: 'verify' },
      );
      let finished = false;
      const verifying = confirm.handler(verify.ctx).finally(() => {
        finished = true;
      });
      const ticket = await ticketOf(tickets.server, 'Verify: login fails');
      expect(ticket.state).toBe('awaiting_approval');
      expect(ticket.assignees).toEqual(['user:default/frank']);
      expect(ticket.levels[0].kind).toBe('confirmation');

      // it is in the REPORTER's inbox (their own request, for once) ...
      const inbox = await request(tickets.server)
        .get('/api/tickets/tickets?view=inbox')
        .set('Authorization', as('frank'));
      expect(inbox.body.items.map((t: any) => t.id)).toContain(ticket.id);
      // ... and nobody else's: bob fixed it, alice is an admin
      for (const other of ['bob', 'alice']) {
        const theirs = await request(tickets.server)
          .get('/api/tickets/tickets?view=inbox')
          .set('Authorization', as(other));
        expect(theirs.body.items.map((t: any) => t.id)).not.toContain(
          ticket.id,
        );
        const detail = await request(tickets.server)
          .get(`/api/tickets/tickets/${ticket.id}`)
          .set('Authorization', as(other));
        expect(detail.body.canDecide).toBe(false);
        const refused = await request(tickets.server)
          .post(`/api/tickets/tickets/${ticket.id}/decision`)
          .set('Authorization', as(other))
          .send({ decision: 'approve' });
        expect(refused.status).toBe(403);
        expect(refused.body.error.message).toMatch(
          /Only the person named by the confirmation step/,
        );
      }
      expect(finished).toBe(false);

      const mine = await request(tickets.server)
        .get(`/api/tickets/tickets/${ticket.id}`)
        .set('Authorization', as('frank'));
      expect(mine.body.canDecide).toBe(true);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('frank'))
        .send({ decision: 'approve', comment: 'works now' })
        .expect(200);
      await verifying;
      expect(verify.outputs).toEqual({
        ticketId: ticket.id,
        confirmedBy: 'user:default/frank',
      });
      const done = await request(tickets.server)
        .get(`/api/tickets/tickets/${ticket.id}`)
        .set('Authorization', as('frank'));
      expect(done.body.history.at(-1)).toMatchObject({
        actor: 'user:default/frank',
        toState: 'approved',
        message: 'Confirmed: works now',
      });
      await tickets.backend.stop();
    });

    it('a reporter who says "not fixed" fails the task', async () => {
      const { tickets, confirm } = await setup();
      const verify = actionContext(
        { title: 'Verify: slow page', confirmer: 'requester' },
        { user: 'frank', taskId: 'bug-2', stepId: 'verify' },
      );
      const verifying = confirm.handler(verify.ctx);
      const ticket = await ticketOf(tickets.server, 'Verify: slow page');
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('frank'))
        .send({ decision: 'reject', comment: 'still slow' })
        .expect(200);
      await expect(verifying).rejects.toThrow(
        /rejected by user:default\/frank: still slow/,
      );
      await tickets.backend.stop();
    });

    it('a named confirmer (the tester who took the build) acts; the requester cannot', async () => {
      const { tickets, confirm } = await setup();
      const step = actionContext(
        { title: 'Testing of build 4.2', confirmer: 'user:default/bob' },
        { user: 'frank', taskId: 'build-1', stepId: 'tested' },
      );
      const run = confirm.handler(step.ctx);
      const ticket = await ticketOf(tickets.server, 'Testing of build 4.2');
      expect(ticket.assignees).toEqual(['user:default/bob']);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('frank'))
        .send({ decision: 'approve' })
        .expect(403);
      await request(tickets.server)
        .post(`/api/tickets/tickets/${ticket.id}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve' })
        .expect(200);
      await run;
      expect(step.outputs.confirmedBy).toBe('user:default/bob');
      await tickets.backend.stop();
    });
  },
);
