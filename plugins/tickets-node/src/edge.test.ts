import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import { markDenialAudited } from '@opsdeck/plugin-opsdeck-node';
import {
  approvalAuditMeta,
  approvalRequiredHandler,
  parseApprovalAsk,
  sendApprovalRequested,
  withChangeApproval,
} from './edge';
import {
  ApprovalMismatchError,
  ApprovalNotApprovedError,
  ApprovalRequiredError,
} from './errors';
import { createChangeApprovalsMock } from './testUtils';

// the request guard's note that a 403 was audited already (by the route)
jest.mock('@opsdeck/plugin-opsdeck-node', () => ({
  markDenialAudited: jest.fn(),
}));

describe('parseApprovalAsk', () => {
  it('takes a boolean requestApproval and a ticket id, and nothing else of them', () => {
    expect(parseApprovalAsk({ name: 'x' })).toEqual({});
    expect(parseApprovalAsk(undefined)).toEqual({});
    expect(
      parseApprovalAsk({ requestApproval: true, approvalTicket: 7 }),
    ).toEqual({ requestApproval: true, approvalTicket: 7 });
    expect(parseApprovalAsk({ requestApproval: false })).toEqual({
      requestApproval: false,
    });
  });

  it.each([
    [{ requestApproval: 'true' }, 'requestApproval is a boolean'],
    [{ requestApproval: 1 }, 'requestApproval is a boolean'],
    [{ approvalTicket: '1 OR 1=1' }, 'approvalTicket is a ticket id'],
    [{ approvalTicket: '7' }, 'approvalTicket is a ticket id'],
    [{ approvalTicket: 0 }, 'approvalTicket is a ticket id'],
    [{ approvalTicket: -3 }, 'approvalTicket is a ticket id'],
    [{ approvalTicket: 1.5 }, 'approvalTicket is a ticket id'],
    [{ approvalTicket: null }, 'approvalTicket is a ticket id'],
  ])('refuses %j', (body, message) => {
    expect(() => parseApprovalAsk(body)).toThrow(InputError);
    expect(() => parseApprovalAsk(body)).toThrow(message);
  });
});

describe('withChangeApproval', () => {
  const bob = mockCredentials.user('user:default/bob');
  const frank = mockCredentials.user('user:default/frank');
  const gate = (
    approvals: ReturnType<typeof createChangeApprovalsMock> | undefined,
    ask: object,
    change: unknown = { action: 'restart', replicas: 3 },
    credentials = bob,
  ) =>
    withChangeApproval({
      approvals: approvals?.service,
      ask,
      kind: 'kubernetes-action',
      target: 'component:default/api',
      change,
      summary: 'restart api',
      credentials,
      refusal: 'prod needs opsdeck.kubernetes.prod.change',
      requiredMessage: 'prod needs it, or a change approval',
    });

  it('refuses without approvals service, and asks for an approval without ticket', async () => {
    await expect(gate(undefined, { approvalTicket: 1 })).rejects.toThrow(
      new NotAllowedError('prod needs opsdeck.kubernetes.prod.change'),
    );
    const approvals = createChangeApprovalsMock();
    const required = gate(approvals, {});
    await expect(required).rejects.toBeInstanceOf(ApprovalRequiredError);
    await expect(required).rejects.toThrow(
      'prod needs it, or a change approval',
    );
    expect(approvals.tickets).toEqual([]);
  });

  it('opens a ticket for exactly the change, then claims it once for that change and person', async () => {
    const approvals = createChangeApprovalsMock();
    const asked = await gate(approvals, { requestApproval: true });
    if (asked.run) throw new Error('expected a ticket');
    expect(asked.requested).toMatchObject({ ticketId: 1, url: '/tickets/1' });
    expect(approvals.tickets[0]).toMatchObject({
      kind: 'kubernetes-action',
      target: 'component:default/api',
      summary: 'restart api',
      change: { action: 'restart', replicas: 3 },
      requester: 'user:default/bob',
    });
    await expect(gate(approvals, { approvalTicket: 1 })).rejects.toBeInstanceOf(
      ApprovalNotApprovedError,
    );
    approvals.decide(1, 'user:default/alice', 'approve');
    await expect(
      gate(
        approvals,
        { approvalTicket: 1 },
        { action: 'restart', replicas: 5 },
      ),
    ).rejects.toBeInstanceOf(ApprovalMismatchError);
    await expect(
      gate(approvals, { approvalTicket: 1 }, undefined, frank),
    ).rejects.toMatchObject({ reason: 'not-requester' });
    // the ticket wins over requestApproval: it runs
    expect(
      await gate(approvals, { approvalTicket: 1, requestApproval: true }),
    ).toEqual({
      run: true,
      approval: {
        ticketId: 1,
        requester: 'user:default/bob',
        approvedBy: ['user:default/alice'],
        digest: approvals.tickets[0].digest,
      },
    });
    await expect(gate(approvals, { approvalTicket: 1 })).rejects.toMatchObject({
      reason: 'used',
      statusCode: 409,
    });
  });
});

describe('approvalAuditMeta', () => {
  it('names the ticket opened, or the approval the change ran with', () => {
    expect(approvalAuditMeta({})).toEqual({});
    expect(
      approvalAuditMeta({
        requested: { ticketId: 4 },
      }),
    ).toEqual({ approvalRequested: 4 });
    expect(
      approvalAuditMeta({
        approval: {
          ticketId: 4,
          requester: 'user:default/bob',
          approvedBy: ['user:default/alice'],
          digest: 'd',
        },
      }),
    ).toEqual({
      approvalTicket: 4,
      requester: 'user:default/bob',
      approvedBy: ['user:default/alice'],
    });
  });
});

function fakeResponse() {
  const res = {
    statusCode: 0,
    body: undefined as unknown,
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    json(body: unknown) {
      res.body = body;
      return res;
    },
  };
  return res;
}

describe('the HTTP answers', () => {
  it('answer ApprovalRequiredError with 403 approvalRequired, marked audited; pass other errors on', () => {
    const handler = approvalRequiredHandler();
    const req: any = { method: 'POST', originalUrl: '/api/config/sets/1' };
    const res = fakeResponse();
    const next = jest.fn();
    handler(new ApprovalRequiredError('needs prod'), req, res as any, next);
    expect(next).not.toHaveBeenCalled();
    expect(res.statusCode).toBe(403);
    expect(res.body).toEqual({
      error: { name: 'ApprovalRequiredError', message: 'needs prod' },
      request: { method: 'POST', url: '/api/config/sets/1' },
      response: { statusCode: 403 },
      approvalRequired: true,
    });
    expect(markDenialAudited).toHaveBeenCalledWith(req);

    const other: any = { method: 'POST', originalUrl: '/x' };
    const refused = new NotAllowedError('no');
    handler(refused, other, fakeResponse() as any, next);
    expect(next).toHaveBeenCalledWith(refused);
    expect(markDenialAudited).not.toHaveBeenCalledWith(other);
    // a claim refusal is not "approval required": Backstage's handler answers it
    const mismatch = new ApprovalMismatchError('another change', 'mismatch');
    handler(mismatch, other, fakeResponse() as any, next);
    expect(next).toHaveBeenLastCalledWith(mismatch);
  });

  it('answer an opened ticket with 202 { approvalTicket }', () => {
    const res = fakeResponse();
    const ticket = {
      ticketId: 3,
      url: '/tickets/3',
      digest: 'd',
      approvers: ['group:default/admins'],
    };
    sendApprovalRequested(res as any, ticket);
    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ approvalTicket: ticket });
  });
});
