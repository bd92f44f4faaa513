import { createHash } from 'node:crypto';

/** A host key offered at first contact and waiting for an admin to accept it. */
export interface PendingHostKey {
  /** OpenSSH `SHA256:` fingerprint of the key the host offered. */
  fingerprint: string;
  /** When the host last offered it. */
  offeredAt: Date;
}

/**
 * Where pinned host keys live. A key login trusts on first use: the first key a host presents is
 * pinned, every later connection must present the same key. A password login never trusts on
 * first use (the password would go to whoever answers at the address): the offered key is
 * recorded as pending and the connection stops before authentication, until an admin accepts
 * that exact key (`accept`), as `StrictHostKeyChecking=ask` would ask.
 *
 * Implementations must make `pin` atomic (insert-if-absent, then read), so that two backend
 * instances connecting to a new host at once cannot pin two different keys, and `accept` one
 * atomic step (only the key still pending is pinned, once).
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
  /** Records the key a not yet pinned host offered, for an admin to accept (the latest offer wins). */
  offer(hostId: string, fingerprint: string): Promise<void>;
  /** The key waiting for acceptance, if any. */
  pending(hostId: string): Promise<PendingHostKey | undefined>;
  /**
   * Pins the pending key when it is still `fingerprint` (what the admin saw) and nothing is
   * pinned yet; the pending entry goes. True when this call pinned it.
   */
  accept(hostId: string, fingerprint: string): Promise<boolean>;
  /** Drops the pending key; true when there was one. */
  reject(hostId: string): Promise<boolean>;
}

/** Process-local store; everything is forgotten on restart. */
export class InMemoryHostKeyStore implements HostKeyStore {
  readonly #keys = new Map<string, string>();
  readonly #pending = new Map<string, PendingHostKey>();

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

  async offer(hostId: string, fingerprint: string): Promise<void> {
    if (this.#keys.has(hostId)) return;
    this.#pending.set(hostId, { fingerprint, offeredAt: new Date() });
  }

  async pending(hostId: string): Promise<PendingHostKey | undefined> {
    return this.#pending.get(hostId);
  }

  async accept(hostId: string, fingerprint: string): Promise<boolean> {
    if (this.#pending.get(hostId)?.fingerprint !== fingerprint) return false;
    this.#pending.delete(hostId);
    return (await this.pin(hostId, fingerprint)) === fingerprint;
  }

  async reject(hostId: string): Promise<boolean> {
    return this.#pending.delete(hostId);
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
