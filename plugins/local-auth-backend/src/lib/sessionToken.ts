import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the cookie that carries the signed session token. */
export const SESSION_COOKIE_NAME = 'opsdeck_session';

function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * Signs a session for `username` that ends at `expiresAtMs`:
 * `<name>.<expiresAtMs>.<HMAC-SHA256 base64url>`.
 */
export function signSessionToken(
  username: string,
  expiresAtMs: number,
  secret: string,
): string {
  const payload = `${username}.${Math.floor(expiresAtMs)}`;
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** A session token that verified. */
export interface VerifiedSession {
  username: string;
  expiresAt: Date;
}

/**
 * Checks a token's signature and expiry; undefined when it is malformed,
 * tampered with or expired. Names may contain dots, so the token is split
 * from the right.
 */
export function verifySessionToken(
  token: string | undefined,
  secret: string,
  now: number = Date.now(),
): VerifiedSession | undefined {
  if (!token) {
    return undefined;
  }
  const sigDot = token.lastIndexOf('.');
  if (sigDot <= 0) {
    return undefined;
  }
  const payload = token.slice(0, sigDot);
  const expDot = payload.lastIndexOf('.');
  if (expDot <= 0) {
    return undefined;
  }
  const username = payload.slice(0, expDot);
  const expiresRaw = payload.slice(expDot + 1);
  if (!/^\d{1,16}$/.test(expiresRaw)) {
    return undefined;
  }
  const given = Buffer.from(token.slice(sigDot + 1), 'base64url');
  const expected = signature(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return undefined;
  }
  const expiresAtMs = Number(expiresRaw);
  if (expiresAtMs <= now) {
    return undefined;
  }
  return { username, expiresAt: new Date(expiresAtMs) };
}

/** Parses a `Cookie` request header into name → value (first one wins). */
export function parseCookieHeader(
  header: string | undefined,
): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) {
    return cookies;
  }
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      continue;
    }
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (name && !(name in cookies)) {
      try {
        cookies[name] = decodeURIComponent(value);
      } catch {
        cookies[name] = value;
      }
    }
  }
  return cookies;
}

/** Reads and verifies the session cookie of a request's `Cookie` header. */
export function readSessionFromCookieHeader(
  header: string | undefined,
  secret: string,
  now: number = Date.now(),
): VerifiedSession | undefined {
  return verifySessionToken(
    parseCookieHeader(header)[SESSION_COOKIE_NAME],
    secret,
    now,
  );
}
