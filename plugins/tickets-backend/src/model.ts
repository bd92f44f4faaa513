/**
 * The tickets plugin's domain: tickets, approval levels, decisions, change
 * approvals and fulfilment steps.
 */
import type {
  ApprovalLevel,
  Ticket,
  TicketComment,
  TicketDecision,
  TicketHistoryEntry,
  TicketState,
} from '@opsdeck/plugin-tickets-common';

export {
  TICKET_STATES,
  type ApprovalLevel,
  type FulfilmentStep,
  type Ticket,
  type TicketChange,
  type TicketComment,
  type TicketDecision,
  type TicketHistoryEntry,
  type TicketPage,
  type TicketState,
} from '@opsdeck/plugin-tickets-common';

/** States after which nothing changes any more. */
export const FINAL_STATES: readonly TicketState[] = [
  'rejected',
  'done',
  'failed',
];

/** Whether the level a ticket waits at is a confirmation. */
export function isConfirmationLevel(ticket: {
  levels: ApprovalLevel[];
  currentLevel: number;
}): boolean {
  return ticket.levels[ticket.currentLevel]?.kind === 'confirmation';
}

/** Differs from the wire TicketDetail: that adds `canDecide`, which the router works out per caller. */
export type TicketDetail = Ticket & {
  decisions: TicketDecision[];
  comments: TicketComment[];
  history: TicketHistoryEntry[];
};

/** Differs from the wire NewTicket: there `expiresAt` is an ISO string and `change` is absent (only change approvals set it). */
export interface NewTicket {
  key: string;
  title: string;
  summary?: string;
  templateRef?: string;
  taskId?: string;
  requester: string;
  levels: ApprovalLevel[];
  details?: Record<string, unknown>;
  expiresAt?: Date;
  /** A change approval: kind, target and digest of the change. */
  change?: { kind: string; target: string; digest: string };
}

/** A claim of a change approval by the person about to run the change. */
export type ClaimRequest = {
  id: number;
  kind: string;
  target: string;
  digest: string;
  /** User ref of the claimer: must be the requester. */
  claimer: string;
};

/** What a claim did. */
export type ClaimOutcome =
  | { ok: true; ticket: Ticket; approvedBy: string[] }
  | {
      ok: false;
      reason:
        | 'not-found'
        | 'not-approved'
        | 'mismatch'
        | 'not-requester'
        | 'used'
        | 'expired';
      message: string;
    };

export interface TicketListQuery {
  state?: TicketState;
  requester?: string;
  /** Only tickets awaiting a decision by one of these refs (and not requested by `excludeRequester`). */
  approverRefs?: string[];
  excludeRequester?: string;
  /** Substring of the title (case-insensitive). */
  q?: string;
  limit?: number;
  offset?: number;
}

/** What a decision did to the ticket. */
export type DecisionOutcome =
  | { ok: true; ticket: Ticket; from: TicketState }
  | {
      ok: false;
      reason:
        | 'not-found'
        | 'not-awaiting'
        | 'not-approver'
        | 'own-request'
        | 'not-confirmer';
    };
