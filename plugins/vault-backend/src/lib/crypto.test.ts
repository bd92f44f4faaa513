import { randomBytes } from 'node:crypto';
import {
  decryptSecret,
  DecryptionError,
  encryptSecret,
  UnknownKeyError,
} from './crypto';
import type { Envelope } from '@opsdeck/plugin-vault-node';
import { Keyring, VaultKey } from './keyring';

function ring(...keys: VaultKey[]): Keyring {
  return { current: keys[0], byId: new Map(keys.map(k => [k.id, k])) };
}

const k1: VaultKey = { id: 'k1', key: randomBytes(32) };
const k2: VaultKey = { id: 'k2', key: randomBytes(32) };
const secret = 'correct horse battery staple ✓ \n-----BEGIN-----';

function flipByte(base64: string, index = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] ^= 0x01;
  return bytes.toString('base64');
}

describe('vault crypto', () => {
  it('round-trips a secret under the current key', () => {
    const envelope = encryptSecret(ring(k1), 'db-main', secret);
    expect(envelope.keyId).toBe('k1');
    expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.authTag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(envelope)).not.toContain('horse');
    expect(decryptSecret(ring(k1), 'db-main', envelope)).toBe(secret);
  });

  it('uses a fresh random IV every time', () => {
    const a = encryptSecret(ring(k1), 'x', secret);
    const b = encryptSecret(ring(k1), 'x', secret);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('detects a changed ciphertext, tag or IV', () => {
    const envelope = encryptSecret(ring(k1), 'db-main', secret);
    const tampered: Envelope[] = [
      { ...envelope, ciphertext: flipByte(envelope.ciphertext) },
      { ...envelope, ciphertext: flipByte(envelope.ciphertext, 5) },
      { ...envelope, authTag: flipByte(envelope.authTag) },
      { ...envelope, iv: flipByte(envelope.iv) },
      { ...envelope, iv: Buffer.alloc(16).toString('base64') },
    ];
    for (const changed of tampered) {
      expect(() => decryptSecret(ring(k1), 'db-main', changed)).toThrow(
        DecryptionError,
      );
    }
    expect(() => decryptSecret(ring(k1), 'db-main', tampered[0])).toThrow(
      "Credential 'db-main' could not be decrypted with key 'k1': the stored data was changed or the key is not the one it was encrypted with",
    );
  });

  it('binds a ciphertext to its credential name', () => {
    const envelope = encryptSecret(ring(k1), 'db-main', secret);
    expect(() => decryptSecret(ring(k1), 'db-other', envelope)).toThrow(
      DecryptionError,
    );
  });

  it('decrypts with any configured key and names unknown keys', () => {
    const old = encryptSecret(ring(k1), 'db-main', secret);
    // k2 is current now, k1 still listed: the old row stays readable.
    expect(decryptSecret(ring(k2, k1), 'db-main', old)).toBe(secret);
    expect(encryptSecret(ring(k2, k1), 'db-main', secret).keyId).toBe('k2');
    // k1 removed: clear error naming the credential and the key.
    expect(() => decryptSecret(ring(k2), 'db-main', old)).toThrow(
      new UnknownKeyError('db-main', 'k1'),
    );
    expect(() => decryptSecret(ring(k2), 'db-main', old)).toThrow(
      /Credential 'db-main' is encrypted with key 'k1', which is not in opsdeck\.vault\.keys/,
    );
    // the wrong key under the right id fails authentication
    const impostor: VaultKey = { id: 'k1', key: randomBytes(32) };
    expect(() => decryptSecret(ring(impostor), 'db-main', old)).toThrow(
      DecryptionError,
    );
  });
});
