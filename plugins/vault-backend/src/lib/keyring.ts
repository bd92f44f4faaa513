import { Config } from '@backstage/config';

/** One AES-256 key from `opsdeck.vault.keys`. */
export interface VaultKey {
  id: string;
  key: Buffer;
}

/** The configured keys: `current` encrypts, every key in `byId` decrypts. */
export interface Keyring {
  current: VaultKey;
  byId: ReadonlyMap<string, VaultKey>;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

const HOW_TO =
  'Set opsdeck.vault.keys to a list of { id, secret } where secret is 32 random bytes, ' +
  'base64 or hex (for example `openssl rand -base64 32`), e.g. ' +
  'keys: [{ id: main, secret: ${OPSDECK_VAULT_KEY} }].';

/** Decodes a 32-byte key given as hex or base64; undefined when it is not one. */
export function decodeKeySecret(secret: string): Buffer | undefined {
  const text = secret.trim();
  if (HEX_KEY.test(text)) {
    return Buffer.from(text, 'hex');
  }
  if (BASE64_KEY.test(text)) {
    const key = Buffer.from(
      text,
      text.includes('-') || text.includes('_') ? 'base64url' : 'base64',
    );
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}

/**
 * Reads `opsdeck.vault.keys`. Throws an error that says what is wrong (never
 * the key material) when there is no valid key, so the backend refuses to
 * start instead of storing credentials it could not protect.
 */
export function readKeyring(rootConfig: Config): Keyring {
  const configs = rootConfig.getOptionalConfigArray('opsdeck.vault.keys') ?? [];
  if (configs.length === 0) {
    throw new Error(
      `The credentials vault has no encryption key: opsdeck.vault.keys is not set. ${HOW_TO}`,
    );
  }
  const keys: VaultKey[] = configs.map((config, index) => {
    const where = `opsdeck.vault.keys[${index}]`;
    const id = config.getOptional('id');
    if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
      throw new Error(
        `${where}.id must be 1-64 letters, digits, '.', '_' or '-'. ${HOW_TO}`,
      );
    }
    // Read raw: the config reader's own errors would not say what to do.
    const secret = config.getOptional('secret');
    if (typeof secret !== 'string' || !secret.trim()) {
      throw new Error(
        `${where}.secret (key '${id}') is missing or empty; if it comes from an ` +
          `environment variable such as OPSDECK_VAULT_KEY, set that variable. ${HOW_TO}`,
      );
    }
    const key = decodeKeySecret(secret);
    if (!key) {
      throw new Error(
        `${where}.secret (key '${id}') is not 32 bytes in base64 or hex. ${HOW_TO}`,
      );
    }
    return { id, key };
  });
  const byId = new Map<string, VaultKey>();
  for (const key of keys) {
    if (byId.has(key.id)) {
      throw new Error(`opsdeck.vault.keys lists the key id '${key.id}' twice`);
    }
    byId.set(key.id, key);
  }
  return { current: keys[0], byId };
}
