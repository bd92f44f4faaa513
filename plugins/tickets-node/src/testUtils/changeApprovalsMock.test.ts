import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import {
  ApprovalAlreadyUsedError,
  ApprovalExpiredError,
  ApprovalMismatchError,
  ApprovalNotApprovedError,
} from '../errors';
import { changeDigest } from '../model';
import { createChangeApprovalsMock } from './changeApprovalsMock';

const bob = mockCredentials.user('user:default/bob');
const frank = mockCredentials.user('user:default/frank');
const change = { action: 'push', version: 4, hosts: ['resource:default/w1'] };
const input = {
  kind: 'config-release' as const,
  target: 'config-set:default/web',
  change,
};

describe('the change approvals test kit', () => {
  it('opens a ticket for a person only, with the change and its digest', async () => {
    const kit = createChangeApprovalsMock({
      approvers: kind => [`group:default/${kind}`],
    });
    const ticket = await kit.service.requestApproval({
      ...input,
      summary: 'push web v4',
      credentials: bob,
    });
    expect(ticket).toMatchObject({
      ticketId: 1,
      url: '/tickets/1',
      digest: changeDigest(change),
      approvers: ['group:default/config-release'],
    });
    await expect(
      kit.service.requestApproval({
        ...input,
        summary: 'x',
        credentials: mockCredentials.service(),
      }),
    ).rejects.toBeInstanceOf(NotAllowedError);
  });

  it('claims by the real claim rules: approved by another, by the requester, this change, once', async () => {
    const kit = createChangeApprovalsMock();
    const { ticketId } = await kit.service.requestApproval({
      ...input,
      summary: 's',
      credentials: bob,
    });
    const claim = (over: object = {}) =>
      kit.service.claimApproval({
        ticketId,
        ...input,
        credentials: bob,
        ...over,
      });
    await expect(claim()).rejects.toBeInstanceOf(ApprovalNotApprovedError);
    expect(() => kit.decide(ticketId, 'user:default/bob', 'approve')).toThrow(
      NotAllowedError,
    );
    kit.decide(ticketId, 'user:default/alice', 'approve');
    expect(() => kit.decide(ticketId, 'user:default/carol', 'reject')).toThrow(
      NotAllowedError,
    );
    await expect(
      claim({ change: { ...change, version: 5 } }),
    ).rejects.toBeInstanceOf(ApprovalMismatchError);
    await expect(claim({ target: 'config-set:default/db' })).rejects.toThrow(
      ApprovalMismatchError,
    );
    await expect(claim({ credentials: frank })).rejects.toMatchObject({
      reason: 'not-requester',
    });
    await expect(claim({ ticketId: 99 })).rejects.toMatchObject({
      reason: 'not-found',
    });
    // keys in another order: the same change
    expect(
      await claim({
        change: { hosts: change.hosts, version: 4, action: 'push' },
      }),
    ).toEqual({
      ticketId,
      requester: 'user:default/bob',
      approvedBy: ['user:default/alice'],
      digest: changeDigest(change),
    });
    await expect(claim()).rejects.toBeInstanceOf(ApprovalAlreadyUsedError);
  });

  it('refuses a rejected or expired approval', async () => {
    const kit = createChangeApprovalsMock();
    const open = async () =>
      (
        await kit.service.requestApproval({
          ...input,
          summary: 's',
          credentials: bob,
        })
      ).ticketId;
    const rejected = await open();
    kit.decide(rejected, 'user:default/alice', 'reject');
    await expect(
      kit.service.claimApproval({
        ticketId: rejected,
        ...input,
        credentials: bob,
      }),
    ).rejects.toMatchObject({ reason: 'not-approved' });
    const lapsed = await open();
    kit.decide(lapsed, 'user:default/alice', 'approve');
    kit.expire(lapsed);
    await expect(
      kit.service.claimApproval({
        ticketId: lapsed,
        ...input,
        credentials: bob,
      }),
    ).rejects.toBeInstanceOf(ApprovalExpiredError);
  });
});
