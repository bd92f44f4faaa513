import { createHash } from 'node:crypto';

/** The kinds of change a ticket can approve. */
export const CHANGE_KINDS = ['config-release', 'kubernetes-action'] as const;

/** What kind of change an approval is for. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A JSON value (what a change is made of). */
export type ChangeJson =
  | string
  | number
  | boolean
  | null
  | ChangeJson[]
  | { [key: string]: ChangeJson };

/** A change approval as the tickets plugin answers it when it is opened. */
export type ChangeApprovalTicket = {
  /** The ticket's id. */
  ticketId: number;
  /** The ticket's page in the app, e.g. `/tickets/12`. */
  url: string;
  /** sha256 of the canonical JSON of the change. */
  digest: string;
  /** Who decides (user and group refs). */
  approvers: string[];
  /** When the approval lapses (ISO time): not decided, or not used, by then. */
  expiresAt?: string;
};

/** A claimed approval: the change may run, once. */
export type ClaimedApproval = {
  ticketId: number;
  /** The requester, who claimed it. */
  requester: string;
  /** Who approved it (one per level). */
  approvedBy: string[];
  digest: string;
};

/**
 * Where a change approval stands, as its requester sees it while waiting to
 * run the change: `pending` (no decision yet), `approved` (may be claimed),
 * `rejected`, `used` (claimed before) or `expired`.
 */
export type ApprovalStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'used'
  | 'expired';

/** Why a claim was refused. */
export type ClaimRefusal =
  | 'not-found'
  | 'not-approved'
  | 'mismatch'
  | 'not-requester'
  | 'used'
  | 'expired';

/**
 * JSON with object keys sorted at every depth and no whitespace, so equal
 * changes give equal text whatever order their keys were built in.
 * `undefined` members are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map(k => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new TypeError('A change holds only finite numbers');
    }
    return v;
  });
}

/** sha256 (hex) of the canonical JSON of a change. */
export function changeDigest(change: unknown): string {
  return createHash('sha256').update(canonicalJson(change)).digest('hex');
}
