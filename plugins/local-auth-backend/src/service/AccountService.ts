import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import { AttemptKey, AttemptStore } from '../database/AttemptStore';
import { DatabaseAccountStore } from '../database/DatabaseAccountStore';
import { LocalAuthConfig } from '../lib/config';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  ScryptParams,
  verifyPassword,
} from '../lib/password';
import { AccountSummary, RequestInfo } from '../model';
import { SessionService } from './SessionService';

/**
 * The one message for an unknown user, a wrong password and a locked account alike (so the
 * answer tells nobody which accounts exist or are locked).
 */
export const INVALID_CREDENTIALS_MESSAGE =
  'Invalid username or password, or too many failed sign-ins; try again later';

/** The answer when an address made too many failed sign-ins. */
export const THROTTLED_MESSAGE =
  'Too many failed sign-ins from your address; try again later';

/** What a password check came to. */
export type PasswordCheck =
  | { ok: true; account: string }
  | { ok: false; reason: 'invalid' | 'throttled'; sessionsEnded?: number };

/** An account with its lock state and live sessions, for the admin page. */
export type AccountOverview = AccountSummary & {
  /** Locked for every address (too many failures overall). */
  locked: boolean;
  lockedUntil?: Date;
  /** Addresses it is locked for (too many failures from there). */
  lockedAddresses: Array<{ address: string; until: Date }>;
  /** Failures still counted (all addresses). */
  failedAttempts: number;
  sessions: number;
};

/** Same rules as a catalog entity name. */
const NAME_PATTERN = /^[a-zA-Z0-9]([-_.]?[a-zA-Z0-9])*$/;

type Config = Pick<
  LocalAuthConfig,
  | 'maxFailedAttempts'
  | 'lockoutMs'
  | 'accountMaxFailures'
  | 'addressMaxFailures'
  | 'addressWindowMs'
  | 'minPasswordLength'
>;

/** Sign-in with lockout and throttle, password rules and seeding for local accounts. */
export class AccountService {
  private readonly dummyHash: Promise<string>;
  private readonly hashParams: ScryptParams;
  private readonly verify: typeof verifyPassword;

  constructor(
    private readonly store: DatabaseAccountStore,
    private readonly attempts: AttemptStore,
    private readonly sessions: SessionService,
    private readonly config: Config,
    private readonly logger: LoggerService,
    options: {
      clock?: () => number;
      /** scrypt cost of new hashes (OWASP's by default). */
      hashParams?: ScryptParams;
      /** The password check (tests count its calls). */
      verify?: typeof verifyPassword;
    } = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.hashParams = options.hashParams ?? DEFAULT_SCRYPT_PARAMS;
    this.verify = options.verify ?? verifyPassword;
    // Unknown and locked accounts are checked against this, so they cost as much as real ones.
    this.dummyHash = hashPassword(
      randomBytes(24).toString('base64'),
      this.hashParams,
    );
  }

  private readonly clock: () => number;

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

  private keys(name: string, address: string) {
    const c = this.config;
    return {
      address: {
        key: { scope: 'address', address } as AttemptKey,
        limit: { max: c.addressMaxFailures, windowMs: c.addressWindowMs },
      },
      pair: {
        key: { scope: 'account-address', account: name, address } as AttemptKey,
        limit: { max: c.maxFailedAttempts, windowMs: c.lockoutMs },
      },
      account: {
        key: { scope: 'account', account: name } as AttemptKey,
        limit: { max: c.accountMaxFailures, windowMs: c.lockoutMs },
      },
    };
  }

  /**
   * Checks a username and password. Before the password is looked at, the attempt claims a slot
   * on three counters, each with one atomic statement: its address (throttle), the account from
   * that address (lockout) and the account from anywhere (lock). No slot, no check: parallel
   * guesses cannot pass the limits. An unknown user, a wrong password and a locked account cost
   * one scrypt each and give the same answer.
   */
  async checkPassword(
    username: string,
    password: string,
    request: RequestInfo,
  ): Promise<PasswordCheck> {
    const now = this.clock();
    const name = username.trim();
    const keys = this.keys(name, request.address ?? 'unknown');
    const byAddress = await this.attempts.claim(
      keys.address.key,
      keys.address.limit,
      now,
    );
    if (byAddress === undefined) {
      await this.verify(password, await this.dummyHash);
      return { ok: false, reason: 'throttled' };
    }
    const pair = await this.attempts.claim(keys.pair.key, keys.pair.limit, now);
    const overall =
      pair !== undefined &&
      (await this.attempts.claim(keys.account.key, keys.account.limit, now));
    if (pair === undefined || overall === undefined || overall === false) {
      // Locked: no guess was made, so nothing more is counted.
      if (pair !== undefined) await this.attempts.release(keys.pair.key);
      await this.attempts.release(keys.address.key);
      await this.verify(password, await this.dummyHash);
      return { ok: false, reason: 'invalid' };
    }
    const account = name ? await this.store.getAccount(name) : undefined;
    const ok = await this.verify(
      password,
      account?.passwordHash ?? (await this.dummyHash),
    );
    if (!account || !ok) {
      // The claims stay: they are the failures.
      let sessionsEnded: number | undefined;
      if (account && overall >= keys.account.limit.max) {
        const ended = await this.sessions.endAll(name, 'locked', 'local-auth');
        sessionsEnded = ended.length;
        this.logger.warn(
          `Local account ${name} locked for every address after ${overall} failed sign-ins; ${ended.length} sessions ended`,
        );
      }
      return { ok: false, reason: 'invalid', sessionsEnded };
    }
    await this.attempts.reset(keys.pair.key);
    await this.attempts.reset(keys.account.key);
    await this.attempts.release(keys.address.key);
    if (needsRehash(account.passwordHash, this.hashParams)) {
      await this.store.replaceHash({
        name: account.name,
        previousHash: account.passwordHash,
        passwordHash: await hashPassword(password, this.hashParams),
      });
    }
    return { ok: true, account: account.name };
  }

  /** A password check that also records the sign-in time. */
  async signIn(
    username: string,
    password: string,
    request: RequestInfo,
  ): Promise<PasswordCheck> {
    const result = await this.checkPassword(username, password, request);
    if (result.ok) {
      await this.store.recordLogin({
        name: result.account,
        now: new Date(this.clock()),
      });
    }
    return result;
  }

  /**
   * Sets a password as an admin (creating the account when missing); every session of the
   * account ends. True when the account was created.
   */
  async setPassword(
    name: string,
    password: string,
    by: string,
  ): Promise<{ created: boolean; sessionsEnded: number }> {
    AccountService.validateName(name);
    this.validatePassword(password);
    const created = await this.store.setPassword({
      name,
      passwordHash: await hashPassword(password, this.hashParams),
    });
    await this.attempts.clearAccount(name);
    const ended = await this.sessions.endAll(name, 'password-reset', by);
    return { created, sessionsEnded: ended.length };
  }

  /**
   * Changes a user's own password after checking the current one (which counts like a sign-in);
   * the user's other sessions end.
   */
  async changeOwnPassword(
    name: string,
    currentPassword: string,
    newPassword: string,
    request: RequestInfo & { sessionId?: string },
  ): Promise<{ sessionsEnded: number }> {
    const account = await this.store.getAccount(name);
    if (!account) {
      throw new NotFoundError(`There is no local account for ${name}`);
    }
    this.validatePassword(newPassword);
    const check = await this.checkPassword(name, currentPassword, request);
    if (!check.ok) {
      throw new NotAllowedError(
        check.reason === 'throttled'
          ? THROTTLED_MESSAGE
          : 'The current password is not correct (or too many failed attempts)',
      );
    }
    await this.store.setPassword({
      name,
      passwordHash: await hashPassword(newPassword, this.hashParams),
    });
    const ended = await this.sessions.endAll(
      name,
      'password-change',
      `user:default/${name}`,
      request.sessionId,
    );
    return { sessionsEnded: ended.length };
  }

  /** Forgets the account's failures, so it may sign in from everywhere again. */
  async unlock(name: string): Promise<void> {
    if (!(await this.store.getAccount(name))) {
      throw new NotFoundError(`There is no local account named ${name}`);
    }
    await this.attempts.clearAccount(name);
  }

  async listAccounts(): Promise<AccountOverview[]> {
    const now = this.clock();
    const [accounts, live] = await Promise.all([
      this.store.listAccounts(),
      this.sessions.list(),
    ]);
    const result: AccountOverview[] = [];
    for (const account of accounts) {
      const counters = await this.attempts.listForAccount(account.name);
      const active = counters.filter(
        c => c.lastFailureAt > now - this.config.lockoutMs,
      );
      const overall = active.find(c => c.scope === 'account');
      const locked =
        !!overall && overall.failures >= this.config.accountMaxFailures;
      result.push({
        ...account,
        locked,
        lockedUntil: locked
          ? new Date(overall!.lastFailureAt + this.config.lockoutMs)
          : undefined,
        lockedAddresses: active
          .filter(
            c =>
              c.scope === 'account-address' &&
              c.failures >= this.config.maxFailedAttempts,
          )
          .map(c => ({
            address: c.address ?? 'unknown',
            until: new Date(c.lastFailureAt + this.config.lockoutMs),
          })),
        failedAttempts: overall?.failures ?? 0,
        sessions: live.filter(s => s.account === account.name).length,
      });
    }
    return result;
  }

  /** True when the local account exists. */
  async exists(name: string): Promise<boolean> {
    return !!(await this.store.getAccount(name));
  }

  private seeding: Promise<unknown> = Promise.resolve();

  /**
   * Runs {@link AccountService.seed} once `begin` resolves, without waiting
   * for it: each missing account's password is hashed at full scrypt cost,
   * seconds of both cores on a two-core machine, which the backend's
   * readiness does not wait for and the other plugins' start-up does not
   * compete with (#15). The list is checked at once, so a bad seed list still
   * stops the start. The router waits for {@link AccountService.seeded}
   * before any request, so no sign-in races the seeding.
   */
  startSeeding(
    users: Array<{ name: string; password: string }>,
    begin: Promise<void> = Promise.resolve(),
  ) {
    this.checkSeed(users);
    const run = begin.then(() => this.seed(users));
    this.seeding = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the seeding started by `startSeeding` has ended, created or failed. */
  async seeded(): Promise<void> {
    await this.seeding;
  }

  private checkSeed(users: Array<{ name: string; password: string }>) {
    for (const user of users) {
      AccountService.validateName(user.name);
      this.validatePassword(user.password);
    }
  }

  /**
   * Creates the seed accounts that don't exist yet; returns their names.
   * Their hashes are computed two at a time (scrypt runs on libuv's thread
   * pool, and a fresh demo backend seeds eight accounts before it is ready);
   * the accounts are then created one by one in the configured order.
   */
  async seed(users: Array<{ name: string; password: string }>) {
    this.checkSeed(users);
    const missing: Array<{ name: string; password: string }> = [];
    for (const user of users) {
      if (!(await this.store.getAccount(user.name))) missing.push(user);
    }
    const hashes: string[] = new Array(missing.length);
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const i = next++;
        hashes[i] = await hashPassword(missing[i].password, this.hashParams);
      }
    };
    await Promise.all([worker(), worker()]);
    const created: string[] = [];
    for (const [i, user] of missing.entries()) {
      const didCreate = await this.store.createAccountIfMissing({
        name: user.name,
        passwordHash: hashes[i],
      });
      if (didCreate) {
        created.push(user.name);
      }
    }
    return created;
  }
}
