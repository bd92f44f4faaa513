import { Secret, TOTP } from 'otpauth';

/** TOTP as authenticator apps use it (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;

function totpOf(secret: string, label = 'opsdeck'): TOTP {
  return new TOTP({
    issuer: 'opsdeck',
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** A new random secret (160 bits, base32). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time step of a moment (ms since the epoch). */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS);
}

/**
 * The time step a code is valid for (the current one or one step either side, for clock drift),
 * or undefined. Callers refuse a step not newer than the last accepted one (no replay).
 */
export function verifyTotp(
  secret: string,
  code: string,
  nowMs: number,
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret).validate({
    token: code,
    timestamp: nowMs,
    window: 1,
  });
  return delta === null ? undefined : totpStep(nowMs) + delta;
}

/** The code of a moment (tests and the e2e helper's counterpart). */
export function totpCode(secret: string, nowMs: number): string {
  return totpOf(secret).generate({ timestamp: nowMs });
}

/** The otpauth:// URI that authenticator apps read from the QR code. */
export function otpauthUri(secret: string, account: string): string {
  return totpOf(secret, account).toString();
}
