/**
 * What a gated request asks of its approval: the body fields
 * `requestApproval` and `approvalTicket` of every gated route (the wire
 * shape of tickets-node's `ApprovalAsk`, which the backend parses with
 * `parseApprovalAsk`).
 */
export type ApprovalAsk = {
  /** Open a change approval ticket for exactly this request instead. */
  requestApproval?: boolean;
  /** Run with this approved ticket (claimed once, atomically). */
  approvalTicket?: number;
};

/**
 * The ticket a gated route opened instead of running the change
 * (`202 { approvalTicket }`; the wire shape of tickets-node's
 * `ChangeApprovalTicket`).
 */
export type ChangeApprovalTicket = {
  /** The ticket's id. */
  ticketId: number;
  /** The ticket's page in the app, e.g. `/tickets/12`. */
  url: string;
  /** Who decides (user and group refs). */
  approvers: string[];
  /** sha256 of the canonical JSON of the change. */
  digest?: string;
  /** When the approval lapses (ISO time). */
  expiresAt?: string;
};

/** The answer of a gated route that opened a ticket instead of running. */
export type ApprovalRequested = { approvalTicket: ChangeApprovalTicket };

/**
 * Whether an error body (Backstage's error JSON, or an error carrying it as
 * `body`) says the change would run with an approved ticket: the 403 of
 * tickets-node's `approvalRequiredHandler` (`approvalRequired: true`).
 */
export function isApprovalRequired(errorOrBody: unknown): boolean {
  if (!errorOrBody || typeof errorOrBody !== 'object') return false;
  const value = errorOrBody as {
    approvalRequired?: unknown;
    body?: { approvalRequired?: unknown };
  };
  return (
    value.approvalRequired === true || value.body?.approvalRequired === true
  );
}
