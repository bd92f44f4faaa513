import { Secret } from 'otpauth';
import { open, seal } from './secretBox';
import { newTotpSecret, otpauthUri, totpCode, verifyTotp } from './otp';

describe('TOTP (otpauth)', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (8-digit values; we use the last 6)
  const secret = Secret.fromUTF8('12345678901234567890').base32;

  it.each([
    [59_000, '287082'],
    [1_111_111_109_000, '081804'],
    [1_234_567_890_000, '005924'],
    [2_000_000_000_000, '279037'],
  ])('matches the RFC test vector at %d ms', (at, code) => {
    expect(totpCode(secret, at)).toBe(code);
    expect(verifyTotp(secret, code, at)).toBe(Math.floor(at / 30_000));
  });

  it('accepts one step of clock drift and nothing else', () => {
    const now = 1_234_567_890_000;
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), now)).toBe(
      step - 1,
    );
    expect(verifyTotp(secret, totpCode(secret, now + 30_000), now)).toBe(
      step + 1,
    );
    expect(
      verifyTotp(secret, totpCode(secret, now - 90_000), now),
    ).toBeUndefined();
    expect(verifyTotp(secret, '12345', now)).toBeUndefined();
    expect(verifyTotp(secret, '12345a', now)).toBeUndefined();
  });

  it('makes 160-bit secrets and the URI authenticator apps read', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(s);
    const text = otpauthUri(s, 'carol');
    expect(text.startsWith('otpauth://totp/opsdeck:carol?')).toBe(true);
    const uri = new URL(text);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'opsdeck',
      secret: s,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('seals secrets so that only the same key and user open them', () => {
    const key = Buffer.alloc(32, 1);
    const sealed = seal(key, 'JBSWY3DPEHPK3PXP', 'user:default/bob');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(open(key, sealed, 'user:default/bob')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => open(key, sealed, 'user:default/eve')).toThrow();
    expect(() =>
      open(Buffer.alloc(32, 2), sealed, 'user:default/bob'),
    ).toThrow();
  });
});
