import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  CustomErrorBase,
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import { AccountStore, AccountSummary } from '../database/AccountStore';
import { LocalAuthConfig } from '../lib/config';
import { hashPassword, needsRehash, verifyPassword } from '../lib/password';

/** The one message for unknown users and wrong passwords alike. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password';

/** Thrown when a locked account tries to sign in. */
export class AccountLockedError extends CustomErrorBase {
  name = 'AccountLockedError' as const;

  constructor(readonly lockedUntil: Date) {
    super(
      `Account is locked after too many failed sign-ins; try again after ${lockedUntil.toISOString()}`,
    );
  }
}

/** Same rules as a catalog entity name. */
const NAME_PATTERN = /^[a-zA-Z0-9]([-_.]?[a-zA-Z0-9])*$/;

/** Sign-in, lockout, password rules and seeding for local accounts. */
export class AccountService {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly store: AccountStore,
    private readonly config: Pick<
      LocalAuthConfig,
      'maxFailedAttempts' | 'lockoutMs' | 'minPasswordLength'
    >,
    private readonly logger: LoggerService,
    private readonly clock: () => Date = () => new Date(),
  ) {
    // Unknown users are checked against this so they cost as much as real ones.
    this.dummyHash = hashPassword(randomBytes(24).toString('base64'));
  }

  /** Throws InputError unless `name` is a valid catalog entity name. */
  static validateName(name: string): void {
    if (name.length === 0 || name.length > 63 || !NAME_PATTERN.test(name)) {
      throw new InputError(
        'Account name must be a catalog entity name: 1-63 letters, digits, "-", "_" or "."',
      );
    }
  }

  /** Throws InputError unless `password` follows the password rules. */
  validatePassword(password: string): void {
    if (password.length < this.config.minPasswordLength) {
      throw new InputError(
        `Password must be at least ${this.config.minPasswordLength} characters long`,
      );
    }
    if (password.length > 1024) {
      throw new InputError('Password must be at most 1024 characters long');
    }
  }

  /**
   * Checks a username and password. Returns the account name on success;
   * throws AuthenticationError (same message for unknown users and wrong
   * passwords) or AccountLockedError.
   */
  async authenticate(username: string, password: string): Promise<string> {
    const account = username
      ? await this.store.getAccount(username)
      : undefined;
    const now = this.clock();
    if (account?.lockedUntil && account.lockedUntil > now) {
      // Spend the same time as a real check before refusing.
      await verifyPassword(password, await this.dummyHash);
      throw new AccountLockedError(account.lockedUntil);
    }
    const ok = await verifyPassword(
      password,
      account?.passwordHash ?? (await this.dummyHash),
    );
    if (!account || !ok) {
      if (account) {
        const failure = await this.store.recordFailure({
          name: account.name,
          maxFailedAttempts: this.config.maxFailedAttempts,
          lockoutMs: this.config.lockoutMs,
          now,
        });
        if (failure.lockedUntil) {
          this.logger.warn(
            `Local account ${
              account.name
            } locked until ${failure.lockedUntil.toISOString()} after ${
              failure.failedAttempts
            } failed sign-ins`,
          );
          throw new AccountLockedError(failure.lockedUntil);
        }
      }
      throw new AuthenticationError(INVALID_CREDENTIALS_MESSAGE);
    }
    await this.store.recordSuccess({ name: account.name, now });
    if (needsRehash(account.passwordHash)) {
      await this.store.replaceHash({
        name: account.name,
        previousHash: account.passwordHash,
        passwordHash: await hashPassword(password),
      });
    }
    return account.name;
  }

  /** Creates the account or resets its password; true when created. */
  async setPassword(name: string, password: string): Promise<boolean> {
    AccountService.validateName(name);
    this.validatePassword(password);
    return this.store.setPassword({
      name,
      passwordHash: await hashPassword(password),
    });
  }

  /**
   * Changes a user's own password after checking the current one; a wrong
   * current password counts as a failed sign-in.
   */
  async changeOwnPassword(
    name: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const account = await this.store.getAccount(name);
    if (!account) {
      throw new NotFoundError(`There is no local account for ${name}`);
    }
    this.validatePassword(newPassword);
    try {
      await this.authenticate(name, currentPassword);
    } catch (error) {
      if (isError(error) && error.name === 'AuthenticationError') {
        throw new NotAllowedError('The current password is not correct');
      }
      throw error;
    }
    await this.store.setPassword({
      name,
      passwordHash: await hashPassword(newPassword),
    });
  }

  async unlock(name: string): Promise<void> {
    if (!(await this.store.unlock(name))) {
      throw new NotFoundError(`There is no local account named ${name}`);
    }
  }

  async listAccounts(): Promise<Array<AccountSummary & { locked: boolean }>> {
    const now = this.clock();
    const accounts = await this.store.listAccounts();
    return accounts.map(account => ({
      ...account,
      locked: Boolean(account.lockedUntil && account.lockedUntil > now),
    }));
  }

  /** Creates the seed accounts that don't exist yet; returns their names. */
  async seed(users: Array<{ name: string; password: string }>) {
    const created: string[] = [];
    for (const user of users) {
      AccountService.validateName(user.name);
      this.validatePassword(user.password);
      if (await this.store.getAccount(user.name)) {
        continue;
      }
      const didCreate = await this.store.createAccountIfMissing({
        name: user.name,
        passwordHash: await hashPassword(user.password),
      });
      if (didCreate) {
        created.push(user.name);
      }
    }
    return created;
  }
}
