import { createHmac, randomBytes } from 'node:crypto';

/** Name of the cookie that carries the session token. */
export const SESSION_COOKIE_NAME = 'opsdeck_session';

/** A new session token: 32 random bytes, base64url. Only the cookie ever holds it. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database keeps of a token: HMAC-SHA256 keyed with opsdeck.localAuth.sessionSecret,
 * hex. A copy of the table opens no session; a new secret ends every session.
 */
export function hashSessionToken(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('hex');
}

/** True for strings that can be a token (so junk never reaches the database). */
export function isSessionToken(value: string | undefined): value is string {
  return !!value && /^[A-Za-z0-9_-]{43}$/.test(value);
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

/** The session token of a request's `Cookie` header, when it has one. */
export function readSessionToken(
  header: string | undefined,
): string | undefined {
  const token = parseCookieHeader(header)[SESSION_COOKIE_NAME];
  return isSessionToken(token) ? token : undefined;
}
