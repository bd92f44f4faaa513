import { Config } from '@backstage/config';
import { DEFAULT_SCRYPT_PARAMS, ScryptParams } from './password';

/** Settings under `opsdeck.localAuth`, with defaults applied. */
export interface LocalAuthConfig {
  sessionSecret: string;
  /** Session length in milliseconds. */
  sessionDurationMs: number;
  /** Failures of one account from one address before that pair is locked. */
  maxFailedAttempts: number;
  /** Lockout length in milliseconds. */
  lockoutMs: number;
  /** Failures of one account from all addresses before the account is locked (its sessions end). */
  accountMaxFailures: number;
  /** Failures from one address, any account, before the address is throttled. */
  addressMaxFailures: number;
  /** Throttle window of an address, in milliseconds. */
  addressWindowMs: number;
  minPasswordLength: number;
  seedUsers: Array<{ name: string; password: string }>;
  /** scrypt parameters of new hashes (N = 2^scryptCost, r=8, p=1). */
  hashParams: ScryptParams;
  /** True when backend.baseUrl is https, so the session cookie gets `Secure`. */
  secureCookie: boolean;
}

const MINUTE_MS = 60_000;

function positiveInteger(
  config: Config,
  key: string,
  defaultValue: number,
): number {
  const value = config.getOptionalNumber(key) ?? defaultValue;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `opsdeck.localAuth.${key} must be a positive whole number, got ${value}`,
    );
  }
  return value;
}

/**
 * Reads `opsdeck.localAuth`. Throws a clear error when `sessionSecret` is
 * missing, so the backend refuses to start rather than sign with nothing.
 */
export function readLocalAuthConfig(rootConfig: Config): LocalAuthConfig {
  const config = rootConfig.getOptionalConfig('opsdeck.localAuth');
  const sessionSecret = config?.getOptionalString('sessionSecret');
  if (!config || !sessionSecret) {
    throw new Error(
      'opsdeck.localAuth.sessionSecret is not set. Local sign-in needs a secret ' +
        'to key the session-token hashes: set it in app-config (for example ' +
        'sessionSecret: ${OPSDECK_SESSION_SECRET}) to a long random value.',
    );
  }
  if (sessionSecret.length < 16) {
    throw new Error(
      'opsdeck.localAuth.sessionSecret is too short; use at least 16 characters (32+ random bytes recommended).',
    );
  }
  const seedUsers = (config.getOptionalConfigArray('seedUsers') ?? []).map(
    seed => ({
      name: seed.getString('name'),
      password: seed.getString('password'),
    }),
  );
  const baseUrl = rootConfig.getOptionalString('backend.baseUrl') ?? '';
  const cost =
    config.getOptionalNumber('scryptCost') ??
    Math.log2(DEFAULT_SCRYPT_PARAMS.N);
  if (!Number.isInteger(cost) || cost < 10 || cost > 20) {
    throw new Error(
      `opsdeck.localAuth.scryptCost must be a whole number from 10 to 20, got ${cost}`,
    );
  }
  return {
    sessionSecret,
    sessionDurationMs:
      positiveInteger(config, 'sessionDuration', 720) * MINUTE_MS,
    maxFailedAttempts: positiveInteger(config, 'maxFailedAttempts', 5),
    lockoutMs: positiveInteger(config, 'lockoutMinutes', 15) * MINUTE_MS,
    accountMaxFailures: positiveInteger(config, 'accountMaxFailures', 50),
    addressMaxFailures: positiveInteger(config, 'addressMaxFailures', 20),
    addressWindowMs:
      positiveInteger(config, 'addressWindowMinutes', 15) * MINUTE_MS,
    minPasswordLength: positiveInteger(config, 'minPasswordLength', 10),
    seedUsers,
    hashParams: { ...DEFAULT_SCRYPT_PARAMS, N: 2 ** cost },
    secureCookie: baseUrl.startsWith('https:'),
  };
}
