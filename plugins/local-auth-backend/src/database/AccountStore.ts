/** One local account as stored, including its password hash. */
export interface StoredAccount {
  name: string;
  passwordHash: string;
  failedAttempts: number;
  lockedUntil?: Date;
  lastLoginAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A local account without its password hash, for listings. */
export type AccountSummary = Omit<StoredAccount, 'passwordHash'>;

/** Result of recording a failed sign-in. */
export interface FailureResult {
  failedAttempts: number;
  /** Set when this failure locked the account. */
  lockedUntil?: Date;
}

/** Persistence for local accounts. */
export interface AccountStore {
  getAccount(name: string): Promise<StoredAccount | undefined>;
  listAccounts(): Promise<AccountSummary[]>;
  /** Creates the account unless it exists; true when it was created. */
  createAccountIfMissing(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean>;
  /**
   * Creates the account or replaces its password, clearing failures and
   * lockout; true when it was created.
   */
  setPassword(options: {
    name: string;
    passwordHash: string;
  }): Promise<boolean>;
  /** Replaces the hash only if it is still `previousHash` (rehash on login). */
  replaceHash(options: {
    name: string;
    previousHash: string;
    passwordHash: string;
  }): Promise<void>;
  /**
   * Counts a failed sign-in; locks the account for `lockoutMs` once
   * `maxFailedAttempts` consecutive failures are reached. A failure after an
   * expired lock starts counting again from one.
   */
  recordFailure(options: {
    name: string;
    maxFailedAttempts: number;
    lockoutMs: number;
    now: Date;
  }): Promise<FailureResult>;
  /** Resets failures and lockout and records the sign-in time. */
  recordSuccess(options: { name: string; now: Date }): Promise<void>;
  /** Clears failures and lockout; false when there is no such account. */
  unlock(name: string): Promise<boolean>;
}
