import type { ApprovalStatus, ClaimRefusal } from './model';

/** A change-approval ticket as far as the claim rules look at it. */
export type ClaimableTicket = {
  id: number;
  /** `pending`, `approved`, `rejected`, `done`, … */
  state: string;
  requester: string;
  changeKind?: string | null;
  changeTarget?: string | null;
  changeDigest?: string | null;
  /** When it was claimed (ISO time), if it was. */
  claimedAt?: string | null;
  /** When the approval lapses (ISO time), if it does. */
  expiresAt?: string | null;
  /** A decision on it was made by its requester (it never counts). */
  decidedByRequester: boolean;
};

/** A claim of a change approval. */
export type ClaimAttempt = {
  id: number;
  kind: string;
  target: string;
  /** {@link changeDigest} of the change about to run. */
  digest: string;
  /** User ref of the person about to run it. */
  claimer: string;
};

/**
 * The claim rules, in the order a refusal is explained: the ticket exists
 * and approves a change, the claimer is its requester, it was not used, it
 * is approved, for this kind, target and digest, not expired, and not
 * decided by its requester. Returns why a claim is refused, or undefined
 * when it may be claimed. The tickets plugin enforces the same rules in one
 * atomic SQL statement and uses this to say why a claim changed no row; the
 * test kit (`@opsdeck/plugin-tickets-node/testUtils`) decides with it.
 */
export function claimRefusal(
  ticket: ClaimableTicket | undefined,
  claim: ClaimAttempt,
  now: Date,
): { reason: ClaimRefusal; message: string } | undefined {
  const no = (reason: ClaimRefusal, message: string) => ({ reason, message });
  if (!ticket) return no('not-found', `No ticket ${claim.id}`);
  if (!ticket.changeKind) {
    return no('mismatch', `Ticket ${claim.id} does not approve a change`);
  }
  if (ticket.requester !== claim.claimer) {
    return no(
      'not-requester',
      `Ticket ${claim.id} was requested by someone else; only the requester may use it`,
    );
  }
  if (ticket.claimedAt) {
    return no(
      'used',
      `Ticket ${claim.id} was used at ${ticket.claimedAt}; an approval runs one change once`,
    );
  }
  if (ticket.state !== 'approved') {
    return no(
      'not-approved',
      `Ticket ${claim.id} is ${ticket.state.replace('_', ' ')}, not approved`,
    );
  }
  if (
    ticket.changeKind !== claim.kind ||
    ticket.changeTarget !== claim.target ||
    ticket.changeDigest !== claim.digest
  ) {
    return no(
      'mismatch',
      `Ticket ${claim.id} approves another change (${ticket.changeKind} on ${ticket.changeTarget}); the change was altered after approval or is another one`,
    );
  }
  if (ticket.expiresAt && new Date(ticket.expiresAt) <= now) {
    return no('expired', `The approval of ticket ${claim.id} expired`);
  }
  if (ticket.decidedByRequester) {
    return no(
      'not-approved',
      `Ticket ${claim.id} was decided by its requester`,
    );
  }
  return undefined;
}

/**
 * Where a change approval stands for its requester (who waits to run the
 * change): used once claimed, expired once its time passed, pending while
 * no decision was made, approved, and rejected otherwise (a rejection, or a
 * workflow that ended it). Whether the claim then succeeds is still decided
 * by the claim itself.
 */
export function approvalStatus(
  ticket: Pick<ClaimableTicket, 'state' | 'claimedAt' | 'expiresAt'>,
  now: Date,
): ApprovalStatus {
  if (ticket.claimedAt) return 'used';
  if (ticket.expiresAt && new Date(ticket.expiresAt) <= now) return 'expired';
  switch (ticket.state) {
    case 'approved':
      return 'approved';
    case 'submitted':
    case 'awaiting_approval':
    case 'pending':
      return 'pending';
    default:
      return 'rejected';
  }
}
