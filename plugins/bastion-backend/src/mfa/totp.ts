import { createHmac, randomBytes } from 'node:crypto';

/** TOTP (RFC 6238) as authenticator apps use it: HMAC-SHA1, 30-second steps, 6 digits. */
const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error('Invalid base32 secret');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random secret (160 bits, base32). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The time step of a moment (ms since the epoch). */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / STEP_SECONDS);
}

/** HOTP (RFC 4226) of a counter. */
export function hotp(secret: string, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return String(code).padStart(DIGITS, '0');
}

export function totp(secret: string, nowMs: number): string {
  return hotp(secret, totpStep(nowMs));
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
  const step = totpStep(nowMs);
  for (const s of [step, step - 1, step + 1]) {
    if (hotp(secret, s) === code) return s;
  }
  return undefined;
}

/** The otpauth:// URI that authenticator apps read from the QR code. */
export function otpauthUri(secret: string, account: string): string {
  const label = encodeURIComponent(`opsdeck:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=opsdeck&algorithm=SHA1&digits=${DIGITS}&period=${STEP_SECONDS}`;
}
