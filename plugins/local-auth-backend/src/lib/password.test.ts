import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  parsePasswordHash,
  verifyPassword,
} from './password';

jest.setTimeout(120_000);

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(
      true,
    );
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(
      false,
    );
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it("encodes OWASP's scrypt cost (N=2^17, r=8, p=1), a 16-byte salt and a 64-byte key", async () => {
    const hash = await hashPassword('opsdeck-demo');
    expect(hash).toMatch(/^scrypt\$N=131072,r=8,p=1\$[A-Za-z0-9+/=]+\$/);
    const parsed = parsePasswordHash(hash)!;
    expect(parsed.params).toEqual({ N: 131072, r: 8, p: 1 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.key).toHaveLength(64);
    expect(hash).not.toContain('opsdeck-demo');
  });

  it('salts every hash differently', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password', cheap),
      hashPassword('same password', cheap),
    ]);
    expect(a).not.toEqual(b);
  });

  it('verifies hashes made with other parameters and flags them for rehash', async () => {
    const weak = await hashPassword('legacy password', {
      N: 2 ** 10,
      r: 8,
      p: 1,
    });
    expect(weak).toContain('N=1024,r=8,p=1');
    await expect(verifyPassword('legacy password', weak)).resolves.toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('x', DEFAULT_SCRYPT_PARAMS))).toBe(
      false,
    );
    // the old default (N=2^15) is below OWASP's minimum: replaced at the next sign-in
    expect(
      needsRehash(await hashPassword('x', { N: 2 ** 15, r: 8, p: 1 })),
    ).toBe(true);
  });

  it('rejects malformed or hostile hash strings', async () => {
    await expect(verifyPassword('x', 'plain-text')).resolves.toBe(false);
    await expect(
      verifyPassword(
        'x',
        'scrypt$N=1000,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==',
      ),
    ).resolves.toBe(false);
    expect(
      parsePasswordHash(
        'scrypt$N=4194304,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==',
      ),
    ).toBeUndefined();
  });
});
