import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { markDenialAudited } from '@opsdeck/plugin-opsdeck-node';
import type { NextFunction, Request, Response } from 'express';
import type { ChangeApprovalsService } from './ChangeApprovalsClient';
import { ApprovalRequiredError } from './errors';
import type {
  ChangeApprovalTicket,
  ChangeKind,
  ClaimedApproval,
} from './model';

/**
 * What a request asks of the approval of a gated change (the body fields
 * `requestApproval` and `approvalTicket` of every gated route).
 */
export type ApprovalAsk = {
  /** Open a change approval ticket for exactly this request instead. */
  requestApproval?: boolean;
  /** Run with this approved ticket (claimed once, atomically). */
  approvalTicket?: number;
};

/**
 * The approval fields of a request body: `requestApproval` a boolean,
 * `approvalTicket` a ticket id (an integer from 1). Anything else in them is
 * refused (InputError, 400); other fields are left to the route.
 */
export function parseApprovalAsk(body: unknown): ApprovalAsk {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: ApprovalAsk = {};
  if (b.requestApproval !== undefined) {
    if (typeof b.requestApproval !== 'boolean') {
      throw new InputError('requestApproval is a boolean');
    }
    out.requestApproval = b.requestApproval;
  }
  if (b.approvalTicket !== undefined) {
    const id = b.approvalTicket;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
      throw new InputError('approvalTicket is a ticket id');
    }
    out.approvalTicket = id;
  }
  return out;
}

/** What a gate decided: run (with the claimed approval) or a ticket opened instead. */
export type ChangeApprovalOutcome =
  | { run: true; approval: ClaimedApproval }
  | { run: false; requested: ChangeApprovalTicket };

/**
 * The gate of a change its caller may not make alone (they lack the prod
 * permission; the caller checked that): with `approvalTicket` the approval
 * is claimed for exactly `change` (run); with `requestApproval` a ticket is
 * opened for it (not run); otherwise {@link ApprovalRequiredError} (403,
 * `approvalRequired`). Without an approvals service: NotAllowedError.
 */
export async function withChangeApproval(options: {
  approvals?: ChangeApprovalsService;
  ask: ApprovalAsk;
  kind: ChangeKind;
  /** What the change acts on (an entity ref). */
  target: string;
  /** The change as it will run: everything that decides what it does. */
  change: unknown;
  /** One line the approvers read. */
  summary: string;
  /** The person asking / running it. */
  credentials: BackstageCredentials;
  /** Why the caller may not make the change alone (the refusal's message). */
  refusal: string;
  /** The message of {@link ApprovalRequiredError} (default: `refusal`). */
  requiredMessage?: string;
}): Promise<ChangeApprovalOutcome> {
  const { approvals, ask, kind, target, change, credentials } = options;
  if (!approvals) throw new NotAllowedError(options.refusal);
  if (ask.approvalTicket) {
    const approval = await approvals.claimApproval({
      ticketId: ask.approvalTicket,
      kind,
      target,
      change,
      credentials,
    });
    return { run: true, approval };
  }
  if (ask.requestApproval) {
    const requested = await approvals.requestApproval({
      kind,
      target,
      summary: options.summary,
      change,
      credentials,
    });
    return { run: false, requested };
  }
  throw new ApprovalRequiredError(options.requiredMessage ?? options.refusal);
}

/** The audit meta of a gated change (JSON, as audit meta is). */
export type ApprovalAuditMeta = {
  /** A ticket was opened instead of running the change. */
  approvalRequested?: number;
  /** The change ran with this approved ticket… */
  approvalTicket?: number;
  /** …asked for by this person (the event's actor)… */
  requester?: string;
  /** …and approved by these. */
  approvedBy?: string[];
};

/**
 * The audit meta of a gated change: the ticket opened instead, or the
 * approval it ran with (the event's actor is the requester; this names the
 * approvers).
 */
export function approvalAuditMeta(outcome: {
  requested?: { ticketId: number };
  approval?: ClaimedApproval;
}): ApprovalAuditMeta {
  if (outcome.requested) {
    return { approvalRequested: outcome.requested.ticketId };
  }
  if (!outcome.approval) return {};
  return {
    approvalTicket: outcome.approval.ticketId,
    requester: outcome.approval.requester,
    approvedBy: outcome.approval.approvedBy,
  };
}

/** Answers a request that opened a ticket: `202 { approvalTicket }`. */
export function sendApprovalRequested(
  res: Response,
  ticket: ChangeApprovalTicket,
): void {
  res.status(202).json({ approvalTicket: ticket });
}

/**
 * The express error handler of a router with gated routes (add it last):
 * {@link ApprovalRequiredError} becomes 403 with Backstage's error body and
 * `approvalRequired: true`; the denial counts as audited (the route's
 * audited() event recorded the refusal). Other errors pass on.
 */
export function approvalRequiredHandler() {
  return (
    error: unknown,
    req: Request<any, any, any, any, any>,
    res: Response,
    next: NextFunction,
  ): void => {
    if (!(error instanceof ApprovalRequiredError)) {
      next(error);
      return;
    }
    markDenialAudited(req);
    res.status(403).json({
      error: { name: error.name, message: error.message },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: 403 },
      approvalRequired: true,
    });
  };
}
