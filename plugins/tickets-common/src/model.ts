/**
 * The tickets API's records as the backend stores and answers them; the
 * backend's model re-exports them and the generated client of plugins/tickets
 * imports them (tickets-backend package.json, opsdeck.openapiSharedTypes).
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

export type TicketPage = {
  items: Ticket[];
  total: number;
};
