import { createHash } from 'node:crypto';

/**
 * Where pinned host keys live. Trust on first use: the first key a host presents is recorded,
 * every later connection must present the same key.
 *
 * Implementations must make `pin` atomic (insert-if-absent, then read), so that two backend
 * instances connecting to a new host at once cannot pin two different keys.
 */
export interface HostKeyStore {
  /**
   * Pins `fingerprint` for `hostId` unless a fingerprint is pinned already.
   * @returns the fingerprint pinned for the host after the call (the existing one, or `fingerprint`)
   */
  pin(hostId: string, fingerprint: string): Promise<string>;
  /** The fingerprint pinned for the host, if any. */
  get(hostId: string): Promise<string | undefined>;
  /** Forgets the pinned key (an operator accepted a new host key); the next key seen is pinned. */
  remove(hostId: string): Promise<void>;
}

/** Process-local store; everything is forgotten on restart. */
export class InMemoryHostKeyStore implements HostKeyStore {
  readonly #keys = new Map<string, string>();

  async pin(hostId: string, fingerprint: string): Promise<string> {
    const existing = this.#keys.get(hostId);
    if (existing !== undefined) {
      return existing;
    }
    this.#keys.set(hostId, fingerprint);
    return fingerprint;
  }

  async get(hostId: string): Promise<string | undefined> {
    return this.#keys.get(hostId);
  }

  async remove(hostId: string): Promise<void> {
    this.#keys.delete(hostId);
  }
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64 (as `ssh-keygen -l`). */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256')
    .update(keyBlob)
    .digest('base64')
    .replace(/=+$/, '')}`;
}

/** known_hosts style id: `host` for port 22, `[host]:port` otherwise. */
export function hostKeyId(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}
