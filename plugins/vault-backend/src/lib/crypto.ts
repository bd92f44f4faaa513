import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Envelope } from '@opsdeck/plugin-vault-node';
import { Keyring } from './keyring';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key is not configured (any more). Names the credential and key id only.
 */
export class UnknownKeyError extends Error {
  name = 'UnknownKeyError';
  constructor(readonly credential: string, readonly keyId: string) {
    super(
      `Credential '${credential}' is encrypted with key '${keyId}', which is not in ` +
        `opsdeck.vault.keys; add that key back (after the current one) to read or rotate it`,
    );
  }
}

/** Decryption failed: wrong key or the stored data was changed. */
export class DecryptionError extends Error {
  name = 'DecryptionError';
  constructor(readonly credential: string, readonly keyId: string) {
    super(
      `Credential '${credential}' could not be decrypted with key '${keyId}': ` +
        `the stored data was changed or the key is not the one it was encrypted with`,
    );
  }
}

// Binds a ciphertext to its credential, so rows can't be swapped undetected.
function aadFor(credential: string): Buffer {
  return Buffer.from(`opsdeck-vault:v1:${credential}`, 'utf8');
}

/** Encrypts `plaintext` for `credential` under the keyring's current key. */
export function encryptSecret(
  keyring: Keyring,
  credential: string,
  plaintext: string,
): Envelope {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(aadFor(credential));
  const ciphertext = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
  ]);
  return {
    keyId: id,
    iv: iv.toString('base64'),
    authTag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/**
 * Decrypts an envelope of `credential`. Throws {@link UnknownKeyError} or
 * {@link DecryptionError}; neither carries any secret material.
 */
export function decryptSecret(
  keyring: Keyring,
  credential: string,
  envelope: Envelope,
): string {
  const entry = keyring.byId.get(envelope.keyId);
  if (!entry) {
    throw new UnknownKeyError(credential, envelope.keyId);
  }
  try {
    const iv = Buffer.from(envelope.iv, 'base64');
    const tag = Buffer.from(envelope.authTag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new Error('bad envelope');
    }
    const decipher = createDecipheriv(ALGORITHM, entry.key, iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aadFor(credential));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(Buffer.from(envelope.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new DecryptionError(credential, envelope.keyId);
  }
}
