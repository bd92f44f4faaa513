import {
  hashSessionToken,
  isSessionToken,
  newSessionToken,
  parseCookieHeader,
  readSessionToken,
} from './sessionCookie';

describe('session cookie', () => {
  it('is 32 random bytes that carry no name, and only a keyed hash is stored', () => {
    const token = newSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionToken()).not.toBe(token);
    expect(isSessionToken(token)).toBe(true);
    const hash = hashSessionToken(token, 'secret-one');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
    expect(hashSessionToken(token, 'secret-two')).not.toBe(hash);
  });

  it('parses Cookie headers and ignores what cannot be a token', () => {
    expect(parseCookieHeader('a=1; opsdeck_session=x.y.z;b="q%20r"')).toEqual({
      a: '1',
      opsdeck_session: 'x.y.z',
      b: 'q r',
    });
    expect(parseCookieHeader(undefined)).toEqual({});
    const token = newSessionToken();
    expect(readSessionToken(`other=1; opsdeck_session=${token}`)).toBe(token);
    // the old signed format (name.expiry.hmac) is no session any more
    expect(
      readSessionToken('opsdeck_session=alice.1750000060000.abc'),
    ).toBeUndefined();
    expect(readSessionToken('other=1')).toBeUndefined();
  });
});
