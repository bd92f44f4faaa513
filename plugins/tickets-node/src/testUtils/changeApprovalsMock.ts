import {
  createServiceFactory,
  type BackstageCredentials,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type {
  ApprovalStatusInput,
  ChangeApprovalsService,
  ClaimApprovalInput,
  RequestApprovalInput,
} from '../ChangeApprovalsClient';
import { approvalStatus, claimRefusal } from '../claimRules';
import { claimError } from '../errors';
import {
  changeDigest,
  type ApprovalStatus,
  type ChangeApprovalTicket,
  type ChangeKind,
  type ClaimedApproval,
} from '../model';
import { changeApprovalsServiceRef } from '../service';

/** A change approval ticket of the test kit. */
export type MockApprovalTicket = {
  id: number;
  kind: ChangeKind;
  target: string;
  summary: string;
  /** The change as it was asked for (what the approvers read). */
  change: unknown;
  digest: string;
  requester: string;
  approvers: string[];
  state: 'pending' | 'approved' | 'rejected' | 'done';
  decisions: { actor: string; decision: 'approve' | 'reject' }[];
  expiresAt?: string;
  claimedAt?: string;
};

/** Change approvals in memory (see {@link createChangeApprovalsMock}). */
export type ChangeApprovalsMock = {
  /** The service: what `changeApprovalsServiceRef` gives the plugin under test. */
  service: ChangeApprovalsService;
  /** The service factory for `startTestBackend({ features })`. */
  factory: ServiceFactory<ChangeApprovalsService, 'plugin', 'singleton'>;
  /** Every ticket opened, in order. */
  tickets: MockApprovalTicket[];
  /**
   * A decision, as on the Tickets page: one level, so one approval approves
   * and one rejection rejects. Its requester may not decide (as the tickets
   * plugin refuses it), nor anyone once the ticket is decided.
   */
  decide(
    ticketId: number,
    actor: string,
    decision: 'approve' | 'reject',
  ): MockApprovalTicket;
  /** Lets time pass past a ticket's expiry (the claim is then `expired`). */
  expire(ticketId: number): void;
};

function userRefOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  if (principal?.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError('A change approval is asked for by a person');
  }
  return principal.userEntityRef;
}

/**
 * Change approvals for tests of the plugins that gate changes on them
 * (config-backend, the Kubernetes module), without the tickets plugin: the
 * tickets live in memory, decided by {@link ChangeApprovalsMock.decide}, and
 * a claim is decided by the same claim rules the tickets plugin explains
 * its refusals with (`claimRefusal`) and throws the same typed errors. The
 * atomic claim in SQL, who may approve, and the Tickets page are tested in
 * tickets-backend.
 */
export function createChangeApprovalsMock(
  options: {
    /** The approvers of a kind (default: `group:default/admins`). */
    approvers?: (kind: ChangeKind) => string[];
    /** How long an approval lasts (default: 24 hours). */
    hours?: number;
    now?: () => Date;
  } = {},
): ChangeApprovalsMock {
  const now = options.now ?? (() => new Date());
  const tickets: MockApprovalTicket[] = [];
  const ticket = (id: number) => {
    const found = tickets.find(t => t.id === id);
    if (!found) throw new NotFoundError(`No ticket ${id}`);
    return found;
  };

  const service: ChangeApprovalsService = {
    async requestApproval(
      input: RequestApprovalInput,
    ): Promise<ChangeApprovalTicket> {
      const opened: MockApprovalTicket = {
        id: tickets.length + 1,
        kind: input.kind,
        target: input.target,
        summary: input.summary,
        change: JSON.parse(JSON.stringify(input.change ?? null)),
        digest: changeDigest(input.change),
        requester: userRefOf(input.credentials),
        approvers: options.approvers?.(input.kind) ?? ['group:default/admins'],
        state: 'pending',
        decisions: [],
        expiresAt: new Date(
          now().getTime() + (options.hours ?? 24) * 3_600_000,
        ).toISOString(),
      };
      tickets.push(opened);
      return {
        ticketId: opened.id,
        url: `/tickets/${opened.id}`,
        digest: opened.digest,
        approvers: opened.approvers,
        expiresAt: opened.expiresAt,
      };
    },

    async claimApproval(input: ClaimApprovalInput): Promise<ClaimedApproval> {
      const claim = {
        id: input.ticketId,
        kind: input.kind,
        target: input.target,
        digest: changeDigest(input.change),
        claimer: userRefOf(input.credentials),
      };
      const found = tickets.find(t => t.id === input.ticketId);
      const at = now();
      const why = claimRefusal(
        found && {
          id: found.id,
          state: found.state,
          requester: found.requester,
          changeKind: found.kind,
          changeTarget: found.target,
          changeDigest: found.digest,
          claimedAt: found.claimedAt,
          expiresAt: found.expiresAt,
          decidedByRequester: found.decisions.some(
            d => d.actor === found.requester,
          ),
        },
        claim,
        at,
      );
      if (why || !found) {
        throw claimError(
          why?.reason ?? 'not-found',
          why?.message ?? `No ticket ${input.ticketId}`,
        );
      }
      found.state = 'done';
      found.claimedAt = at.toISOString();
      return {
        ticketId: found.id,
        requester: found.requester,
        approvedBy: found.decisions
          .filter(d => d.decision === 'approve')
          .map(d => d.actor),
        digest: found.digest,
      };
    },

    async approvalStatus(input: ApprovalStatusInput): Promise<ApprovalStatus> {
      const found = tickets.find(t => t.id === input.ticketId);
      if (!found || found.requester !== userRefOf(input.credentials)) {
        throw new NotFoundError(`No change approval ${input.ticketId}`);
      }
      return approvalStatus(found, now());
    },
  };

  return {
    service,
    factory: createServiceFactory({
      service: changeApprovalsServiceRef,
      deps: {},
      factory: () => service,
    }),
    tickets,
    decide(ticketId, actor, decision) {
      const t = ticket(ticketId);
      if (actor === t.requester) {
        throw new NotAllowedError('The requester cannot decide their ticket');
      }
      if (t.state !== 'pending') {
        throw new NotAllowedError(`Ticket ${ticketId} is ${t.state}`);
      }
      t.decisions.push({ actor, decision });
      t.state = decision === 'approve' ? 'approved' : 'rejected';
      return t;
    },
    expire(ticketId) {
      ticket(ticketId).expiresAt = new Date(now().getTime() - 1).toISOString();
    },
  };
}
