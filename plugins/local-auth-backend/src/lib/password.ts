import {
  randomBytes,
  scrypt as scryptCallback,
  ScryptOptions,
  timingSafeEqual,
} from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost; a power of two. */
  N: number;
  r: number;
  p: number;
}

/**
 * What new hashes use: OWASP's Password Storage Cheat Sheet minimum for scrypt, N=2^17, r=8,
 * p=1 (128 MiB per hash). Older hashes are replaced at the next sign-in.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 64;
const PREFIX = 'scrypt';

function scrypt(
  password: string,
  salt: Buffer,
  keyLength: number,
  params: ScryptParams,
): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; node's default maxmem (32 MiB) is below
  // that for N=2^17, r=8, so allow twice the requirement.
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Hashes a password. The result reads
 * `scrypt$N=131072,r=8,p=1$<salt base64>$<key base64>`, so the parameters can
 * be raised later while old hashes still verify.
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return [
    PREFIX,
    `N=${params.N},r=${params.r},p=${params.p}`,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** Splits a stored hash string; undefined when it is not one of ours. */
export function parsePasswordHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== PREFIX) {
    return undefined;
  }
  const params: Record<string, number> = {};
  for (const pair of parts[1].split(',')) {
    const [k, v] = pair.split('=');
    params[k] = Number(v);
  }
  const { N, r, p } = params;
  const valid = [N, r, p].every(n => Number.isInteger(n) && n > 0);
  // N must be a power of two; cap it to keep a forged row from exhausting memory.
  if (!valid || (N & (N - 1)) !== 0 || N > 2 ** 20 || r > 32 || p > 16) {
    return undefined;
  }
  const salt = Buffer.from(parts[2], 'base64');
  const key = Buffer.from(parts[3], 'base64');
  if (salt.length === 0 || key.length < 16) {
    return undefined;
  }
  return { params: { N, r, p }, salt, key };
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) {
    return false;
  }
  const key = await scrypt(
    password,
    parsed.salt,
    parsed.key.length,
    parsed.params,
  );
  return timingSafeEqual(key, parsed.key);
}

/** True when a stored hash uses weaker parameters than `params`. */
export function needsRehash(
  stored: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): boolean {
  const parsed = parsePasswordHash(stored);
  if (!parsed) {
    return true;
  }
  return (
    parsed.params.N < params.N ||
    parsed.params.r < params.r ||
    parsed.params.p < params.p ||
    parsed.key.length < KEY_BYTES
  );
}
