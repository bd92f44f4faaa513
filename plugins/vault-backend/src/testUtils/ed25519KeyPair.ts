import { utils } from 'ssh2';

type GenerateOptions = Parameters<typeof utils.generateKeyPairSync>[1];

/**
 * An OpenSSH Ed25519 key pair from ssh2 that ssh2 itself can read back.
 *
 * ssh2 1.x sometimes writes an Ed25519 public key one byte short (when the
 * key starts with a zero byte, about 1 key in 256), and then rejects its own
 * output as "Malformed OpenSSH private key". Tests that use a random key
 * would fail on such a draw, so they take one that reads back.
 */
export function ed25519KeyPair(
  options?: GenerateOptions & { passphrase?: string },
) {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', options as any);
    if (!(utils.parseKey(pair.private, options?.passphrase) instanceof Error)) {
      return pair;
    }
  }
}
