/**
 * The tickets plugin's domain: tickets, approval levels, decisions, change
 * approvals and fulfilment steps.
 */
/** States of a ticket, in the order a successful request goes through them. */
export const TICKET_STATES = [
  'submitted',
  'awaiting_approval',
  'approved',
  'rejected',
  'fulfilling',
  'done',
  'failed',
] as const;

export type TicketState = (typeof TICKET_STATES)[number];

/** States after which nothing changes any more. */
export const FINAL_STATES: readonly TicketState[] = [
  'rejected',
  'done',
  'failed',
];

/** One approval level: any one of its approvers decides it. */
export type ApprovalLevel = {
  /** User or group entity refs (`group:default/dba`, `user:default/bob`). */
  approvers: string[];
  /** What the level is, e.g. "owner of resource:default/pay-db-main". */
  label?: string;
  /**
   * `approval` (default): approvers decide, never the requester.
   * `confirmation` (`opsdeck:ticket:confirm`): the named person confirms —
   * when that is the requester, only they may act (the reporter confirms a
   * fix); nobody else may confirm for them.
   */
  kind?: 'approval' | 'confirmation';
};

/** Whether the level a ticket waits at is a confirmation. */
export function isConfirmationLevel(ticket: {
  levels: ApprovalLevel[];
  currentLevel: number;
}): boolean {
  return ticket.levels[ticket.currentLevel]?.kind === 'confirmation';
}

/** What a change-approval ticket approves (`@opsdeck/plugin-tickets-node`). */
export type TicketChange = {
  kind: string;
  /** Entity ref the change acts on. */
  target: string;
  /** sha256 (hex) of the change's canonical JSON. */
  digest: string;
  /** When the requester used the approval (ISO), once. */
  claimedAt?: string;
  claimedBy?: string;
};

export type Ticket = {
  id: number;
  key: string;
  title: string;
  summary?: string;
  templateRef?: string;
  taskId?: string;
  requester: string;
  state: TicketState;
  levels: ApprovalLevel[];
  /** 0-based index of the level waiting for a decision. */
  currentLevel: number;
  /** Approvers of the current level while awaiting approval, else empty. */
  assignees: string[];
  details: Record<string, unknown>;
  result?: Record<string, unknown>;
  message?: string;
  expiresAt?: string;
  /** Set on a change approval: what it approves, and its use. */
  change?: TicketChange;
  createdAt: string;
  updatedAt: string;
};

export type TicketDecision = {
  level: number;
  actor: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  createdAt: string;
};

export type TicketComment = {
  id: number;
  author: string;
  body: string;
  createdAt: string;
};

export type TicketHistoryEntry = {
  id: number;
  actor: string;
  fromState?: TicketState;
  toState: TicketState;
  message?: string;
  createdAt: string;
};

/**
 * One step of a ticket's fulfilment (a grant on one host, a database account,
 * its vault credential). Ticket, step and target are its idempotency key.
 */
export type FulfilmentStep = {
  ticketId: number;
  /** What kind of step, e.g. `server-access.grant`. */
  step: string;
  /** What it acts on, e.g. a host entity ref. */
  target: string;
  state: 'started' | 'done';
  /** How often the step was started; more than one: replayed after a crash. */
  attempts: number;
  /** What the step made (a grant id, an account name), once done. */
  result?: Record<string, unknown>;
  startedAt: string;
  finishedAt?: string;
};

export type TicketDetail = Ticket & {
  decisions: TicketDecision[];
  comments: TicketComment[];
  history: TicketHistoryEntry[];
};

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

export interface TicketPage {
  items: Ticket[];
  total: number;
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
