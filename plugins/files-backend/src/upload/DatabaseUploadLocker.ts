import {
  ERRORS,
  type Lock,
  type Locker,
  type RequestRelease,
} from '@tus/server';
import { createLeases, type Leases } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const TABLE = 'files_upload_locks';

export type DatabaseUploadLockerOptions = {
  /** Names this process in the `holder` column (logs, debugging). */
  instanceId: string;
  /** How long a lock lives without renewal: a crashed holder's lock is free after it. */
  ttlMs?: number;
  /** How often a holder renews its lock and looks for release requests. */
  heartbeatMs?: number;
  /** How often a waiting request tries again. */
  pollMs?: number;
  /** How long a request waits for a lock before tus answers 500 (tus' own default: 30 s). */
  acquireTimeoutMs?: number;
  /** Told when a heartbeat fails; the lock is then given up. */
  onError?: (error: Error) => void;
};

/** One request's lock on one upload (see DatabaseUploadLocker). */
class DatabaseUploadLock implements Lock {
  private readonly holder: string;
  private heartbeat?: NodeJS.Timeout;
  private released = false;

  constructor(
    private readonly locker: DatabaseUploadLocker,
    private readonly id: string,
  ) {
    this.holder = `${locker.options.instanceId}/${randomBytes(6).toString(
      'hex',
    )}`;
  }

  async lock(
    stopSignal: AbortSignal | undefined,
    requestRelease: RequestRelease,
  ): Promise<void> {
    const deadline = Date.now() + this.locker.acquireTimeoutMs;
    for (;;) {
      if (await this.tryAcquire()) {
        this.startHeartbeat(requestRelease);
        return;
      }
      await this.askHolderToRelease();
      if (stopSignal?.aborted || Date.now() >= deadline) {
        throw ERRORS.ERR_LOCK_TIMEOUT;
      }
      // an aborted request stops the wait (and fails at the next check)
      await sleep(this.locker.pollMs, undefined, { signal: stopSignal }).catch(
        () => undefined,
      );
    }
  }

  async unlock(): Promise<void> {
    this.released = true; // a heartbeat still running must not call tus back
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    // Only our own row: after a takeover the row belongs to someone else.
    await this.locker.leases.release(this.id, this.holder);
  }

  private tryAcquire(): Promise<boolean> {
    return this.locker.leases.tryAcquire(
      this.id,
      this.holder,
      this.locker.ttlMs,
      { set: { release_requested: false } },
    );
  }

  private async askHolderToRelease(): Promise<void> {
    await this.locker
      .knex(TABLE)
      .where('upload_id', this.id)
      .andWhere('release_requested', false)
      .update({ release_requested: true });
  }

  private startHeartbeat(requestRelease: RequestRelease) {
    const { knex, leases, ttlMs, heartbeatMs, options } = this.locker;
    let busy = false;
    const release = () => {
      if (this.released) return;
      this.released = true;
      void Promise.resolve()
        .then(requestRelease)
        .catch(() => undefined);
    };
    this.heartbeat = setInterval(async () => {
      if (busy || this.released) return;
      busy = true;
      try {
        if (!(await leases.renew(this.id, this.holder, ttlMs))) {
          release(); // expired and taken over, or removed: stop writing
          return;
        }
        const row = await knex(TABLE)
          .where({ upload_id: this.id, holder: this.holder })
          .first('release_requested');
        if (row && isTrue(row.release_requested)) release();
      } catch (e) {
        // Without renewal the lock will expire under us: stop writing.
        options.onError?.(e as Error);
        release();
      } finally {
        busy = false;
      }
    }, heartbeatMs);
    this.heartbeat.unref();
  }
}

/**
 * tus' `Locker` on the plugin's database, so that every backend replica
 * behind a load balancer sees the same locks: a request for an upload on
 * replica B waits while replica A writes to it (no sticky sessions needed).
 *
 * A lock is a lease (opsdeck-node's `createLeases`) in `files_upload_locks`
 * keyed by the upload id: taken in one atomic statement when free or when its
 * holder stopped renewing, on SQLite and PostgreSQL. The holder renews
 * `expires_at` every `heartbeatMs`. Expiry is judged by the database's clock,
 * so replicas whose clocks disagree still never hold one upload together.
 *
 * tus' `requestRelease` across processes: a waiting request sets
 * `release_requested` on the row; the holder sees it at its next heartbeat and
 * calls its own tus `requestRelease` (tus then ends that request after its
 * lock-drain delay, keeping the bytes written so far). A holder that finds its
 * row gone or taken over, or cannot renew it, does the same: it must stop
 * writing. The waiting request polls every `pollMs` until `acquireTimeoutMs`
 * or until its own request is aborted, then fails with tus' lock timeout.
 */
export class DatabaseUploadLocker implements Locker {
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly acquireTimeoutMs: number;
  readonly leases: Leases;

  constructor(
    readonly knex: Knex,
    readonly options: DatabaseUploadLockerOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? 1_000;
    this.pollMs = options.pollMs ?? 200;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
    this.leases = createLeases(knex, {
      table: TABLE,
      columns: { name: 'upload_id' },
    });
  }

  newLock(id: string): Lock {
    return new DatabaseUploadLock(this, id);
  }
}

/** SQLite gives booleans back as 0/1. */
function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
