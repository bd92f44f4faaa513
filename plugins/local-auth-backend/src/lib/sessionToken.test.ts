import {
  parseCookieHeader,
  readSessionFromCookieHeader,
  signSessionToken,
  verifySessionToken,
} from './sessionToken';

const secret = 'test-secret-that-is-long-enough';

describe('session token', () => {
  const now = 1_750_000_000_000;

  it('signs <name>.<expiresAtMs>.<hmac> and verifies it', () => {
    const token = signSessionToken('alice', now + 60_000, secret);
    expect(token).toMatch(/^alice\.1750000060000\.[A-Za-z0-9_-]{43}$/);
    expect(verifySessionToken(token, secret, now)).toEqual({
      username: 'alice',
      expiresAt: new Date(now + 60_000),
    });
  });

  it('handles names that contain dots', () => {
    const token = signSessionToken('first.last', now + 1000, secret);
    expect(verifySessionToken(token, secret, now)?.username).toBe('first.last');
  });

  it('rejects tampered tokens', () => {
    const token = signSessionToken('bob', now + 60_000, secret);
    const [, exp, sig] = token.split('.');
    expect(
      verifySessionToken(`alice.${exp}.${sig}`, secret, now),
    ).toBeUndefined();
    expect(
      verifySessionToken(`bob.${Number(exp) + 1}.${sig}`, secret, now),
    ).toBeUndefined();
    expect(verifySessionToken(`${token}x`, secret, now)).toBeUndefined();
    expect(
      verifySessionToken(token, 'another-secret-value!!', now),
    ).toBeUndefined();
    expect(verifySessionToken('bob', secret, now)).toBeUndefined();
    expect(verifySessionToken('', secret, now)).toBeUndefined();
    expect(verifySessionToken(undefined, secret, now)).toBeUndefined();
  });

  it('rejects expired tokens', () => {
    const token = signSessionToken('carol', now + 1000, secret);
    expect(verifySessionToken(token, secret, now + 999)).toBeDefined();
    expect(verifySessionToken(token, secret, now + 1000)).toBeUndefined();
    expect(verifySessionToken(token, secret, now + 5000)).toBeUndefined();
  });

  it('parses Cookie headers', () => {
    expect(parseCookieHeader('a=1; opsdeck_session=x.y.z;b="q%20r"')).toEqual({
      a: '1',
      opsdeck_session: 'x.y.z',
      b: 'q r',
    });
    expect(parseCookieHeader(undefined)).toEqual({});
    const token = signSessionToken('dave', Date.now() + 60_000, secret);
    expect(
      readSessionFromCookieHeader(`other=1; opsdeck_session=${token}`, secret)
        ?.username,
    ).toBe('dave');
    expect(readSessionFromCookieHeader('other=1', secret)).toBeUndefined();
  });
});
