import {
  approvalStatus,
  claimRefusal,
  type ClaimableTicket,
} from './claimRules';

const now = new Date('2026-12-03T12:00:00Z');
const approved: ClaimableTicket = {
  id: 5,
  state: 'approved',
  requester: 'user:default/bob',
  changeKind: 'config-release',
  changeTarget: 'config-set:default/web',
  changeDigest: 'abc',
  claimedAt: null,
  expiresAt: '2026-12-03T13:00:00Z',
  decidedByRequester: false,
};
const claim = {
  id: 5,
  kind: 'config-release',
  target: 'config-set:default/web',
  digest: 'abc',
  claimer: 'user:default/bob',
};

describe('claimRefusal', () => {
  it('lets the requester claim an approved, unused, unexpired ticket for exactly its change', () => {
    expect(claimRefusal(approved, claim, now)).toBeUndefined();
    expect(
      claimRefusal({ ...approved, expiresAt: null }, claim, now),
    ).toBeUndefined();
  });

  it.each<[string, Partial<ClaimableTicket> | undefined, object, string]>([
    ['no ticket', undefined, {}, 'not-found'],
    ['a ticket that approves no change', { changeKind: null }, {}, 'mismatch'],
    ['another person', {}, { claimer: 'user:default/frank' }, 'not-requester'],
    ['a used ticket', { claimedAt: '2026-12-03T11:00:00Z' }, {}, 'used'],
    [
      'a used ticket (state done)',
      { state: 'done', claimedAt: 'x' },
      {},
      'used',
    ],
    ['a pending ticket', { state: 'pending' }, {}, 'not-approved'],
    ['a rejected ticket', { state: 'rejected' }, {}, 'not-approved'],
    ['another kind', {}, { kind: 'kubernetes-action' }, 'mismatch'],
    ['another target', {}, { target: 'config-set:default/db' }, 'mismatch'],
    ['an altered change', {}, { digest: 'abd' }, 'mismatch'],
    [
      'an expired approval',
      { expiresAt: '2026-12-03T12:00:00Z' },
      {},
      'expired',
    ],
    ['an own decision', { decidedByRequester: true }, {}, 'not-approved'],
  ])('refuses %s', (_what, ticket, claimed, reason) => {
    const why = claimRefusal(
      ticket && { ...approved, ...ticket },
      { ...claim, ...claimed },
      now,
    );
    expect(why?.reason).toBe(reason);
    expect(why?.message).toMatch(/ticket 5|Ticket 5/);
  });
});

describe('approvalStatus (what a requester waiting to run the change sees)', () => {
  it.each([
    ['pending', { state: 'awaiting_approval' }],
    ['pending', { state: 'submitted' }],
    ['approved', {}],
    ['rejected', { state: 'rejected' }],
    ['rejected', { state: 'failed' }],
    ['used', { state: 'done', claimedAt: '2026-12-03T11:00:00Z' }],
    ['expired', { expiresAt: '2026-12-03T12:00:00Z' }],
    [
      'expired',
      { state: 'awaiting_approval', expiresAt: '2026-12-03T11:00:00Z' },
    ],
  ] as const)('%s for %j', (expected, change) => {
    expect(approvalStatus({ ...approved, ...change }, now)).toBe(expected);
  });
});
