/** One local account as stored, including its password hash. */
export interface StoredAccount {
  name: string;
  passwordHash: string;
  lastLoginAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A local account without its password hash, for listings. */
export type AccountSummary = Omit<StoredAccount, 'passwordHash'>;

/** What a sign-in attempt counter is kept for. */
export type AttemptScope = 'address' | 'account-address' | 'account';

/** One attempt counter: `failures` within its window, the last at `lastFailureAt`. */
export interface AttemptCounter {
  key: string;
  scope: AttemptScope;
  account?: string;
  address?: string;
  failures: number;
  lastFailureAt: number;
}

/** A limit on failures: at `max` failures the key is refused until `windowMs` after the last. */
export interface AttemptLimit {
  max: number;
  windowMs: number;
}

/** Why a session ended. */
export type SessionEndReason =
  | 'logout'
  | 'password-reset'
  | 'password-change'
  | 'locked'
  | 'role-change'
  | 'signed-out-everywhere';

/** A sign-in session (the cookie carries a token whose keyed hash finds it). */
export interface SessionRecord {
  /** Public id; goes into Backstage tokens and the admin page, never opens the session. */
  id: string;
  account: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  address?: string;
  lastAddress?: string;
  userAgent?: string;
  /** Ownership refs at the first token refresh. */
  ownership?: string[];
  endedAt?: number;
  endReason?: string;
  endedBy?: string;
}

/** Where a request came from. */
export interface RequestInfo {
  address?: string;
  userAgent?: string;
}
