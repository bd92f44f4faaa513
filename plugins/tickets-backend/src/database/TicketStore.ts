import type {
  ClaimOutcome,
  ClaimRequest,
  DecisionOutcome,
  FulfilmentStep,
  NewTicket,
  Ticket,
  TicketComment,
  TicketDetail,
  TicketListQuery,
  TicketPage,
  TicketState,
} from '../model';

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
