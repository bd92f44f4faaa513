import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { decodeKeySecret, readKeyring } from './keyring';

const hexKey = randomBytes(32).toString('hex');
const b64Key = randomBytes(32).toString('base64');

function keyring(keys: unknown) {
  return readKeyring(
    new ConfigReader({ opsdeck: { vault: { keys: keys as any } } }),
  );
}

describe('readKeyring', () => {
  it('reads hex and base64 keys; the first one encrypts', () => {
    const ring = keyring([
      { id: 'k2', secret: b64Key },
      { id: 'k1', secret: hexKey },
    ]);
    expect(ring.current.id).toBe('k2');
    expect(ring.current.key).toEqual(Buffer.from(b64Key, 'base64'));
    expect(ring.byId.get('k1')?.key).toEqual(Buffer.from(hexKey, 'hex'));
    expect([...ring.byId.keys()]).toEqual(['k2', 'k1']);
  });

  it('accepts base64url and surrounding whitespace', () => {
    const raw = randomBytes(32);
    expect(decodeKeySecret(` ${raw.toString('base64url')}\n`)).toEqual(raw);
  });

  it('refuses to work without keys', () => {
    expect(() => readKeyring(new ConfigReader({}))).toThrow(
      /no encryption key: opsdeck\.vault\.keys is not set/,
    );
    expect(() => keyring([])).toThrow(/opsdeck\.vault\.keys is not set/);
  });

  it('names the problem without echoing the key material', () => {
    const short = randomBytes(16).toString('base64');
    const cases: Array<[unknown, RegExp]> = [
      [
        [{ id: 'k1' }],
        /keys\[0\]\.secret \(key 'k1'\) is missing.*OPSDECK_VAULT_KEY/,
      ],
      [[{ id: 'k1', secret: '' }], /keys\[0\]\.secret \(key 'k1'\) is missing/],
      [
        [{ id: 'k1', secret: short }],
        /keys\[0\]\.secret \(key 'k1'\) is not 32 bytes/,
      ],
      [[{ id: 'k1', secret: 'not a key at all, sorry' }], /is not 32 bytes/],
      [[{ id: 'k1', secret: `${hexKey}00` }], /is not 32 bytes/],
      [[{ id: 'bad id!', secret: hexKey }], /keys\[0\]\.id must be/],
      [[{ secret: hexKey }], /keys\[0\]\.id must be/],
      [
        [
          { id: 'k1', secret: hexKey },
          { id: 'k1', secret: b64Key },
        ],
        /lists the key id 'k1' twice/,
      ],
    ];
    for (const [keys, message] of cases) {
      let error: Error | undefined;
      try {
        keyring(keys);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(hexKey);
      expect(error?.message).not.toContain(b64Key);
      expect(error?.message).not.toContain(short);
    }
  });
});
