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

/** The fulfilment steps of tickets, one row per ticket, step and target. */
export interface FulfilmentStepStore {
  /**
   * Starts a step, atomically: inserts it (`started`), or, when the key is
   * there already, returns it as it is (a done step with its result; a started
   * one with its attempts counted up: a replay of a step cut short).
   */
  begin(
    ticketId: number,
    step: string,
    target: string,
  ): Promise<FulfilmentStep>;
  /** Marks a step done with what it made. */
  finish(
    ticketId: number,
    step: string,
    target: string,
    result: Record<string, unknown>,
  ): Promise<FulfilmentStep | undefined>;
  list(ticketId: number): Promise<FulfilmentStep[]>;
}

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

/** Tickets, their approvers, decisions, comments and history. */
export interface TicketStore {
  /**
   * Creates the ticket in `awaiting_approval` (history: submitted, then
   * awaiting approval), or returns the existing one with the same key.
   */
  createOrGet(
    ticket: NewTicket,
    actor: string,
  ): Promise<{ ticket: Ticket; created: boolean }>;
  get(id: number): Promise<Ticket | undefined>;
  getDetail(id: number): Promise<TicketDetail | undefined>;
  list(query: TicketListQuery): Promise<TicketPage>;
  /**
   * Approves or rejects the current level as `actor`, whose ownership refs
   * (user ref and groups) are `actorRefs`. Approving the last level makes
   * the ticket `approved`; otherwise the next level waits.
   */
  decide(options: {
    id: number;
    actor: string;
    actorRefs: string[];
    decision: 'approved' | 'rejected';
    comment?: string;
  }): Promise<DecisionOutcome>;
  /** Moves a ticket to a state set by its workflow (fulfilling, done, failed). */
  transition(options: {
    id: number;
    actor: string;
    to: TicketState;
    message?: string;
    result?: Record<string, unknown>;
    /** Only when the ticket is in one of these states. */
    from: TicketState[];
  }): Promise<{ ticket: Ticket; from: TicketState } | undefined>;
  /**
   * Uses a change approval, once: ONE conditional UPDATE (approved, not
   * claimed, not expired, same kind, target and digest, the claimer is the
   * requester, no decision by the requester); exactly one concurrent claim
   * changes a row. A refusal says why.
   */
  claimChange(claim: ClaimRequest): Promise<ClaimOutcome>;
  /** Rejects every ticket whose approval expired; returns them. */
  expireDue(now?: Date): Promise<Ticket[]>;
  addComment(
    id: number,
    author: string,
    body: string,
  ): Promise<TicketComment | undefined>;
}
