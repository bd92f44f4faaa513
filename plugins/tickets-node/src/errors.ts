import { CustomErrorBase } from '@backstage/errors';
import type { ClaimRefusal } from './model';

/**
 * Base class of the change-approval errors. `statusCode` makes Backstage's
 * error handler answer with it; `reason` says why, for callers and tests.
 */
export class ChangeApprovalError extends CustomErrorBase {
  readonly statusCode: number = 403;
  readonly reason: ClaimRefusal | 'required' = 'not-approved';
}

/**
 * The change needs an approved ticket (the caller lacks the prod
 * permission); routes answer it as 403 with `approvalRequired: true`.
 */
export class ApprovalRequiredError extends ChangeApprovalError {
  name = 'ApprovalRequiredError' as const;
  readonly reason = 'required' as const;
}

/** The ticket does not exist, or is not (yet, or no longer) approved. */
export class ApprovalNotApprovedError extends ChangeApprovalError {
  name = 'ApprovalNotApprovedError' as const;
  readonly reason: 'not-approved' | 'not-found' = 'not-approved';
  constructor(message: string, reason: 'not-approved' | 'not-found') {
    super(message);
    this.reason = reason;
  }
}

/**
 * The ticket approves another change (kind, target or digest differ), or
 * was requested by someone else than the claimer.
 */
export class ApprovalMismatchError extends ChangeApprovalError {
  name = 'ApprovalMismatchError' as const;
  readonly reason: 'mismatch' | 'not-requester' = 'mismatch';
  constructor(message: string, reason: 'mismatch' | 'not-requester') {
    super(message);
    this.reason = reason;
  }
}

/** The approval was claimed before: an approval runs one change once. */
export class ApprovalAlreadyUsedError extends ChangeApprovalError {
  name = 'ApprovalAlreadyUsedError' as const;
  readonly statusCode = 409;
  readonly reason = 'used' as const;
}

/** The approval lapsed before it was used. */
export class ApprovalExpiredError extends ChangeApprovalError {
  name = 'ApprovalExpiredError' as const;
  readonly statusCode = 409;
  readonly reason = 'expired' as const;
}

/** The typed error for a refused claim. */
export function claimError(
  reason: ClaimRefusal,
  message: string,
): ChangeApprovalError {
  switch (reason) {
    case 'used':
      return new ApprovalAlreadyUsedError(message);
    case 'expired':
      return new ApprovalExpiredError(message);
    case 'mismatch':
    case 'not-requester':
      return new ApprovalMismatchError(message, reason);
    case 'not-found':
    case 'not-approved':
    default:
      return new ApprovalNotApprovedError(
        message,
        reason === 'not-found' ? 'not-found' : 'not-approved',
      );
  }
}
