import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  ApprovalAlreadyUsedError,
  ApprovalMismatchError,
  ApprovalNotApprovedError,
  ChangeApprovalsClient,
} from '@opsdeck/plugin-tickets-node';
import request from 'supertest';
import { as, startTicketsBackend } from '../__testUtils__/ticketsBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const bob = mockCredentials.user('user:default/bob');
const dave = mockCredentials.user('user:default/dave');
const change = { action: 'push', setId: 3, version: 2, hosts: ['a', 'b'] };

describe.each(databases.eachSupportedId())(
  'change approvals over HTTP (%s)',
  id => {
    async function setup() {
      const knex = await databases.init(id);
      const tickets = await startTicketsBackend(knex);
      const client = new ChangeApprovalsClient({
        discovery: tickets.discovery,
        auth: tickets.auth,
      });
      return { tickets, client };
    }

    it('opens a ticket for the admins, approved by another person, claimed once by the requester', async () => {
      const { tickets, client } = await setup();
      const opened = await client.requestApproval({
        kind: 'config-release',
        target: 'config-set:default/web',
        summary: 'push web v2 to 2 prod hosts',
        change,
        credentials: bob,
      });
      expect(opened).toMatchObject({
        url: `/tickets/${opened.ticketId}`,
        approvers: ['group:default/admins'],
      });
      expect(opened.digest).toMatch(/^[0-9a-f]{64}$/);
      const server = tickets.server;
      // the Tickets page shows the change
      const page = await request(server)
        .get(`/api/tickets/tickets/${opened.ticketId}`)
        .set('Authorization', as('alice'));
      expect(page.body).toMatchObject({
        state: 'awaiting_approval',
        requester: 'user:default/bob',
        canDecide: true,
        change: {
          kind: 'config-release',
          target: 'config-set:default/web',
          digest: opened.digest,
        },
        details: { change },
      });
      // not approved yet
      await expect(
        client.claimApproval({
          ticketId: opened.ticketId,
          kind: 'config-release',
          target: 'config-set:default/web',
          change,
          credentials: bob,
        }),
      ).rejects.toBeInstanceOf(ApprovalNotApprovedError);
      // bob (ops) is not an approver of config releases; alice (admin) is
      const bobDecides = await request(server)
        .post(`/api/tickets/tickets/${opened.ticketId}/decision`)
        .set('Authorization', as('bob'))
        .send({ decision: 'approve' });
      expect(bobDecides.status).toBe(403);
      const approved = await request(server)
        .post(`/api/tickets/tickets/${opened.ticketId}/decision`)
        .set('Authorization', as('alice'))
        .send({ decision: 'approve' });
      expect(approved.status).toBe(200);
      // another person cannot use it
      await expect(
        client.claimApproval({
          ticketId: opened.ticketId,
          kind: 'config-release',
          target: 'config-set:default/web',
          change,
          credentials: dave,
        }),
      ).rejects.toBeInstanceOf(ApprovalMismatchError);
      // nor bob for an altered change
      await expect(
        client.claimApproval({
          ticketId: opened.ticketId,
          kind: 'config-release',
          target: 'config-set:default/web',
          change: { ...change, hosts: ['a', 'b', 'c'] },
          credentials: bob,
        }),
      ).rejects.toBeInstanceOf(ApprovalMismatchError);
      const claimed = await client.claimApproval({
        ticketId: opened.ticketId,
        kind: 'config-release',
        target: 'config-set:default/web',
        // keys in another order: the same canonical JSON
        change: { hosts: ['a', 'b'], version: 2, setId: 3, action: 'push' },
        credentials: bob,
      });
      expect(claimed).toMatchObject({
        ticketId: opened.ticketId,
        requester: 'user:default/bob',
        approvedBy: ['user:default/alice'],
      });
      await expect(
        client.claimApproval({
          ticketId: opened.ticketId,
          kind: 'config-release',
          target: 'config-set:default/web',
          change,
          credentials: bob,
        }),
      ).rejects.toBeInstanceOf(ApprovalAlreadyUsedError);
      await tickets.backend.stop();
    });

    it('sends a Kubernetes action to ops and admins; its requester cannot decide it', async () => {
      // (the Kubernetes module's gate is tested against tickets-node's test kit)
      const { tickets, client } = await setup();
      const frank = mockCredentials.user('user:default/frank');
      const restart = {
        action: 'kubernetes-deployment-restart',
        entityRef: 'component:default/api',
        cluster: 'k8s-prod',
        namespace: 'shop',
        name: 'api',
      };
      const input = {
        kind: 'kubernetes-action' as const,
        target: 'component:default/api',
        change: restart,
        credentials: frank,
      };
      const opened = await client.requestApproval({
        ...input,
        summary: 'restart shop/api on k8s-prod',
      });
      expect(opened.approvers).toEqual([
        'group:default/ops',
        'group:default/admins',
      ]);
      const page = await request(tickets.server)
        .get(`/api/tickets/tickets/${opened.ticketId}`)
        .set('Authorization', as('bob'));
      expect(page.body).toMatchObject({
        requester: 'user:default/frank',
        assignees: ['group:default/ops', 'group:default/admins'],
        canDecide: true,
        change: { kind: 'kubernetes-action', target: 'component:default/api' },
        details: { change: restart },
      });
      const decide = (user: string) =>
        request(tickets.server)
          .post(`/api/tickets/tickets/${opened.ticketId}/decision`)
          .set('Authorization', as(user))
          .send({ decision: 'approve' });
      expect((await decide('frank')).status).toBe(403);
      expect((await decide('bob')).status).toBe(200);
      expect(
        await client.claimApproval({ ...input, ticketId: opened.ticketId }),
      ).toMatchObject({
        requester: 'user:default/frank',
        approvedBy: ['user:default/bob'],
      });
      await tickets.backend.stop();
    });

    it('accepts the change routes from backend services only', async () => {
      const { tickets } = await setup();
      const body = {
        kind: 'config-release',
        target: 'config-set:default/web',
        summary: 'x',
        change,
        requester: 'user:default/bob',
      };
      const asUser = await request(tickets.server)
        .post('/api/tickets/workflow/changes')
        .set('Authorization', as('bob'))
        .send(body);
      expect(asUser.status).toBe(403);
      const claim = await request(tickets.server)
        .post('/api/tickets/workflow/changes/1/claim')
        .set('Authorization', as('bob'))
        .send({
          kind: 'config-release',
          target: 'config-set:default/web',
          digest: 'a'.repeat(64),
          claimer: 'user:default/bob',
        });
      expect(claim.status).toBe(403);
      const status = await request(tickets.server)
        .post('/api/tickets/workflow/changes/1/status')
        .set('Authorization', as('bob'))
        .send({ requester: 'user:default/bob' });
      expect(status.status).toBe(403);
      await tickets.backend.stop();
    });

    it('tells the requester where the approval stands (pending, approved, used, rejected), and no one else', async () => {
      const { tickets, client } = await setup();
      const ask = {
        kind: 'config-release' as const,
        target: 'config-set:default/web',
        change,
      };
      const open = () =>
        client.requestApproval({ ...ask, summary: 'push', credentials: bob });
      const decide = (ticketId: number, decision: 'approve' | 'reject') =>
        request(tickets.server)
          .post(`/api/tickets/tickets/${ticketId}/decision`)
          .set('Authorization', as('alice'))
          .send({ decision });
      const status = (ticketId: number, credentials = bob) =>
        client.approvalStatus({ ticketId, credentials });

      const first = await open();
      expect(await status(first.ticketId)).toBe('pending');
      // another person learns nothing, not even that it exists
      await expect(status(first.ticketId, dave)).rejects.toMatchObject({
        response: { status: 404 },
      });
      await expect(status(first.ticketId + 100)).rejects.toMatchObject({
        response: { status: 404 },
      });
      expect((await decide(first.ticketId, 'approve')).status).toBe(200);
      expect(await status(first.ticketId)).toBe('approved');
      await client.claimApproval({
        ...ask,
        ticketId: first.ticketId,
        credentials: bob,
      });
      expect(await status(first.ticketId)).toBe('used');

      const second = await open();
      expect((await decide(second.ticketId, 'reject')).status).toBe(200);
      expect(await status(second.ticketId)).toBe('rejected');
      await tickets.backend.stop();
    });
  },
);
