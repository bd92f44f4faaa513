import { InputError } from '@backstage/errors';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
} from 'node:crypto';
import { utils as ssh2Utils } from 'ssh2';

type PublicJwk = {
  n?: string;
  e?: string;
  x?: string;
  y?: string;
  crv?: string;
};

/** Largest private key accepted, in characters. */
export const MAX_PRIVATE_KEY_LENGTH = 16 * 1024;

/** What is shown about a private key: never the key itself. */
export interface PrivateKeyInfo {
  /** SSH key type, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  algorithm: string;
  /** Public key fingerprint as `ssh-keygen -l` prints it: `SHA256:<base64>`. */
  fingerprint: string;
  /** The key text to store: trimmed, LF line ends, one trailing newline. */
  normalized: string;
}

// Deliberately generic: the messages must never quote the submitted text.
const NOT_A_KEY =
  'The SSH private key could not be read: paste a complete unencrypted private key ' +
  '(OpenSSH "BEGIN OPENSSH PRIVATE KEY", or PEM "BEGIN RSA/EC PRIVATE KEY" or "BEGIN PRIVATE KEY")';
const ENCRYPTED =
  'The SSH private key is protected by a passphrase; the vault stores unencrypted keys ' +
  'only (it encrypts them itself). Remove the passphrase first, e.g. `ssh-keygen -p -N "" -f key`';
const UNSUPPORTED =
  'The private key type is not usable for SSH; use an Ed25519, ECDSA (P-256/384/521) or RSA key';

/** SHA256 fingerprint of an SSH wire-format public key. */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  const digest = createHash('sha256').update(publicKeyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  let bytes = unsigned.subarray(start);
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return sshString(bytes);
}

const EC_CURVES: Record<string, string> = {
  'P-256': 'nistp256',
  'P-384': 'nistp384',
  'P-521': 'nistp521',
};

/** SSH type and wire-format public key of a node private key. */
function sshPublicKeyOf(privateKey: KeyObject): { type: string; blob: Buffer } {
  const jwk = createPublicKey(privateKey).export({
    format: 'jwk',
  }) as PublicJwk;
  const b = (v?: string) => Buffer.from(v ?? '', 'base64url');
  if (privateKey.asymmetricKeyType === 'rsa' && jwk.n && jwk.e) {
    return {
      type: 'ssh-rsa',
      blob: Buffer.concat([
        sshString('ssh-rsa'),
        sshMpint(b(jwk.e)),
        sshMpint(b(jwk.n)),
      ]),
    };
  }
  if (privateKey.asymmetricKeyType === 'ed25519' && jwk.x) {
    return {
      type: 'ssh-ed25519',
      blob: Buffer.concat([sshString('ssh-ed25519'), sshString(b(jwk.x))]),
    };
  }
  const curve = jwk.crv ? EC_CURVES[jwk.crv] : undefined;
  if (privateKey.asymmetricKeyType === 'ec' && curve && jwk.x && jwk.y) {
    const type = `ecdsa-sha2-${curve}`;
    const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
    return {
      type,
      blob: Buffer.concat([
        sshString(type),
        sshString(curve),
        sshString(point),
      ]),
    };
  }
  throw new InputError(UNSUPPORTED);
}

function inspectOpenSsh(text: string): { type: string; blob: Buffer } {
  const parsed = ssh2Utils.parseKey(text);
  if (parsed instanceof Error) {
    throw new InputError(
      /passphrase|encrypted/i.test(parsed.message) ? ENCRYPTED : NOT_A_KEY,
    );
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) {
    throw new InputError(NOT_A_KEY);
  }
  return { type: key.type, blob: key.getPublicSSH() };
}

function inspectPem(text: string): { type: string; blob: Buffer } {
  if (/Proc-Type:\s*4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(text)) {
    throw new InputError(ENCRYPTED);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new InputError(NOT_A_KEY);
  }
  return sshPublicKeyOf(privateKey);
}

/**
 * Checks that `text` is an unencrypted SSH private key (OpenSSH format via
 * ssh2, PEM PKCS#1 / SEC1 / PKCS#8 via node:crypto) and returns its type and
 * SHA256 fingerprint. Throws InputError with a message that never contains
 * any of the submitted text.
 */
export function inspectPrivateKey(text: string): PrivateKeyInfo {
  if (text.length > MAX_PRIVATE_KEY_LENGTH) {
    throw new InputError(
      `The SSH private key is too long (at most ${MAX_PRIVATE_KEY_LENGTH} characters)`,
    );
  }
  const normalized = `${text.replace(/\r\n?/g, '\n').trim()}\n`;
  const header = /^-----BEGIN ([A-Z0-9 ]+)-----\n/.exec(normalized)?.[1];
  if (!header || !normalized.includes(`-----END ${header}-----`)) {
    throw new InputError(NOT_A_KEY);
  }
  if (!header.includes('PRIVATE KEY')) {
    throw new InputError(NOT_A_KEY);
  }
  const { type, blob } =
    header === 'OPENSSH PRIVATE KEY'
      ? inspectOpenSsh(normalized)
      : inspectPem(normalized);
  return { algorithm: type, fingerprint: sshFingerprint(blob), normalized };
}
