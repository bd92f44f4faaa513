import { base32Decode, base32Encode, hotp, totp, verifyTotp } from './totp';
import { open, seal } from './secretBox';

describe('TOTP', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (8-digit values; we use the last 6)
  const secret = base32Encode(Buffer.from('12345678901234567890'));

  it.each([
    [59_000, '287082'],
    [1_111_111_109_000, '081804'],
    [1_234_567_890_000, '005924'],
    [2_000_000_000_000, '279037'],
  ])('matches the RFC test vector at %d ms', (at, code) => {
    expect(totp(secret, at)).toBe(code);
  });

  it('round-trips base32 and matches RFC 4226 HOTP values', () => {
    expect(base32Decode(secret).toString()).toBe('12345678901234567890');
    expect(hotp(secret, 0)).toBe('755224');
    expect(hotp(secret, 9)).toBe('520489');
  });

  it('accepts one step of clock drift and nothing else', () => {
    const now = 1_234_567_890_000;
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(secret, totp(secret, now - 30_000), now)).toBe(step - 1);
    expect(verifyTotp(secret, totp(secret, now + 30_000), now)).toBe(step + 1);
    expect(verifyTotp(secret, totp(secret, now - 90_000), now)).toBeUndefined();
    expect(verifyTotp(secret, '12345', now)).toBeUndefined();
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
