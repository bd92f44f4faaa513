import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import {
  CommandFailedError,
  CommandTimeoutError,
  OperationCancelledError,
  RemoteNodeError,
  SshProtocolError,
  describeEndpoint,
} from './errors';
import { type HostKeyStore, InMemoryHostKeyStore, hostKeyId } from './hostKeys';
import { withEnvPrefix } from './shell';
import { handshake } from './sshConnect';
import { runChannel } from './sshExec';
import { type DedicatedShellOptions, dedicatedShell, shell } from './sshShell';
import {
  type Bucket,
  type ChannelObservations,
  type Connection,
  type Lease,
  OutputCapture,
  abortError,
  endpointOf,
  observeChannel,
  raceAbort,
  releaseOnClose,
} from './sshInternals';
import { downloadStream, uploadStream } from './sshSftp';
import type {
  ExecOptions,
  ExecResult,
  PtyOptions,
  RemoteNodeLogger,
  SshConnectionPoolOptions,
  SshPoolStats,
  SshTarget,
  UploadOptions,
} from './types';

/**
 * The one SSH client of opsdeck: pooled ssh2 connections with host-key pinning, exec with
 * streaming/timeout/cancel, SFTP, and jump hosts. Safe to share across plugins.
 */
export class SshConnectionPool {
  private readonly hostKeys: HostKeyStore;
  private readonly maxConnectionsPerHost: number;
  private readonly maxChannels: number;
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly killGraceMs: number;
  private readonly maxOutputBytes: number;
  private readonly logger?: RemoteNodeLogger;
  /** Per-pool secret so that connection keys reveal nothing about credentials. */
  private readonly keySecret = randomBytes(32);
  private readonly buckets = new Map<string, Bucket>();
  private nextId = 1;
  private closing = false;
  private readonly counters = {
    opened: 0,
    closed: 0,
    open: 0,
    peakOpen: 0,
    activeChannels: 0,
  };

  constructor(options: SshConnectionPoolOptions = {}) {
    this.hostKeys = options.hostKeyStore ?? new InMemoryHostKeyStore();
    this.maxConnectionsPerHost = Math.max(
      1,
      options.maxConnectionsPerHost ?? 4,
    );
    this.maxChannels = Math.max(1, options.maxChannelsPerConnection ?? 8);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? 15_000;
    this.killGraceMs = options.killGraceMs ?? 1_000;
    this.maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
    this.logger = options.logger;
  }

  /**
   * The host-key store in use (to inspect or forget pinned keys). Forgetting a pin through it
   * also retires the pool's connections to that host, so the next connection does a fresh
   * handshake and pins the key the host presents then.
   */
  get hostKeyStore(): HostKeyStore {
    return {
      pin: (hostId, fingerprint) => this.hostKeys.pin(hostId, fingerprint),
      get: hostId => this.hostKeys.get(hostId),
      remove: async hostId => {
        await this.hostKeys.remove(hostId);
        this.retireHost(hostId);
      },
      offer: (hostId, fingerprint) => this.hostKeys.offer(hostId, fingerprint),
      pending: hostId => this.hostKeys.pending(hostId),
      accept: (hostId, fingerprint) =>
        this.hostKeys.accept(hostId, fingerprint),
      reject: hostId => this.hostKeys.reject(hostId),
    };
  }

  /** Stops reusing connections to `hostId`; idle ones close now, busy ones when released. */
  private retireHost(hostId: string) {
    for (const b of this.buckets.values()) {
      for (const conn of [...b.connections]) {
        if (hostKeyId(conn.endpoint.host, conn.endpoint.port) !== hostId) {
          continue;
        }
        conn.retired = true;
        if (conn.leases === 0) this.destroy(conn);
      }
    }
  }

  stats(): SshPoolStats {
    return { ...this.counters };
  }

  // ---------------------------------------------------------------- connections

  private connectionKey(target: SshTarget): string {
    const c = target.credentials;
    const mac = createHmac('sha256', this.keySecret);
    for (const part of [c.privateKey, c.passphrase, c.password]) {
      mac.update(part === undefined ? '-' : `+${part.length}:`);
      if (part !== undefined) mac.update(part);
    }
    const e = endpointOf(target);
    const own = `${e.username}@${e.host}:${e.port}#${mac
      .digest('hex')
      .slice(0, 24)}`;
    return target.via ? `${own}>${this.connectionKey(target.via)}` : own;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { connections: [], waiters: new Set() };
      this.buckets.set(key, b);
    }
    return b;
  }

  private wake(key: string) {
    const b = this.buckets.get(key);
    if (!b) return;
    for (const w of [...b.waiters]) w();
    if (b.connections.length === 0 && b.waiters.size === 0) {
      this.buckets.delete(key);
    }
  }

  /** Reserves a channel slot on a ready connection to `target`, connecting if needed. */
  private async acquire(
    target: SshTarget,
    signal?: AbortSignal,
    key = this.connectionKey(target),
  ) {
    for (;;) {
      if (this.closing) {
        throw new OperationCancelledError('The SSH connection pool is closed');
      }
      if (signal?.aborted) throw abortError(signal, 'Cancelled');
      const b = this.bucket(key);
      let conn: Connection | undefined;
      let fresh = false;
      for (const c of b.connections) {
        if (c.state === 'closed' || c.retired || c.leases >= this.maxChannels) {
          continue;
        }
        if (
          !conn ||
          (c.state === 'ready' && conn.state !== 'ready') ||
          (c.state === conn.state && c.leases < conn.leases)
        ) {
          conn = c;
        }
      }
      if (!conn && b.connections.length < this.maxConnectionsPerHost) {
        conn = this.connect(target, key, b);
        fresh = true;
      }
      if (conn) {
        const lease = this.lease(conn, fresh);
        try {
          await raceAbort(conn.ready, signal, 'Cancelled');
        } catch (e) {
          lease.release();
          throw e;
        }
        if (conn.state === 'ready') return lease;
        lease.release(); // closed right after connecting; try again
        continue;
      }
      // every connection is at its channel limit and no new one may be opened: wait
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          b.waiters.delete(done);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        function onAbort() {
          b.waiters.delete(done);
          reject(abortError(signal, 'Cancelled'));
        }
        b.waiters.add(done);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private lease(conn: Connection, fresh: boolean): Lease {
    conn.leases++;
    this.counters.activeChannels++;
    if (conn.idleTimer) {
      clearTimeout(conn.idleTimer);
      conn.idleTimer = undefined;
    }
    let released = false;
    return {
      connection: conn,
      fresh,
      release: () => {
        if (released) return;
        released = true;
        conn.leases--;
        this.counters.activeChannels--;
        if (conn.leases === 0 && conn.retired) {
          this.destroy(conn);
        } else if (conn.leases === 0 && conn.state === 'ready') {
          conn.idleTimer = setTimeout(() => {
            this.logger?.debug(
              `Closing idle SSH connection to ${describeEndpoint(
                conn.endpoint,
              )}`,
            );
            this.destroy(conn);
          }, this.idleTimeoutMs);
          conn.idleTimer.unref();
        }
        this.wake(conn.key);
      },
    };
  }

  private destroy(conn: Connection) {
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
    try {
      conn.client.end();
    } catch {
      // already gone
    }
    this.onClosed(conn);
  }

  private onClosed(conn: Connection) {
    if (conn.state === 'closed') return;
    conn.state = 'closed';
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    this.counters.closed++;
    this.counters.open--;
    const b = this.buckets.get(conn.key);
    if (b) b.connections = b.connections.filter(c => c !== conn);
    conn.jumpLease?.release();
    conn.jumpLease = undefined;
    this.wake(conn.key);
  }

  private connect(target: SshTarget, key: string, b: Bucket): Connection {
    const endpoint = endpointOf(target);
    const client = new Client();
    const conn: Connection = {
      id: this.nextId++,
      key,
      endpoint,
      client,
      state: 'connecting',
      ready: Promise.resolve(),
      leases: 0,
    };
    b.connections.push(conn);
    this.counters.opened++;
    this.counters.open++;
    this.counters.peakOpen = Math.max(
      this.counters.peakOpen,
      this.counters.open,
    );
    // Errors after `ready` are followed by `close`, which removes the connection.
    client.on('error', () => {});
    client.on('close', () => this.onClosed(conn));
    conn.ready = handshake(
      {
        hostKeys: this.hostKeys,
        connectTimeoutMs: this.connectTimeoutMs,
        keepaliveIntervalMs: this.keepaliveIntervalMs,
        acquire: t => this.acquire(t),
      },
      target,
      conn,
    ).then(
      () => {
        if (conn.state === 'connecting') conn.state = 'ready';
        this.logger?.debug(
          `SSH connection ${conn.id} to ${describeEndpoint(endpoint)} is ready${
            target.via ? ` (via ${target.via.host})` : ''
          }`,
        );
      },
      err => {
        this.destroy(conn);
        throw err;
      },
    );
    conn.ready.catch(() => {}); // the lease holder handles it
    return conn;
  }

  /**
   * Opens a channel with `open`; when a reused connection turns out dead (server restarted,
   * connection dropped while idle), drops it and retries once on a new connection.
   */
  private async withChannel<T>(
    target: SshTarget,
    signal: AbortSignal | undefined,
    open: (client: Client, cb: (err?: Error, ch?: T) => void) => void,
  ): Promise<{ lease: Lease; channel: T }> {
    for (let attempt = 0; ; attempt++) {
      const lease = await this.acquire(target, signal);
      try {
        const channel = await new Promise<T>((resolve, reject) => {
          try {
            open(lease.connection.client, (err, ch) =>
              err ? reject(err) : resolve(ch as T),
            );
          } catch (e) {
            reject(e);
          }
        });
        return { lease, channel };
      } catch (e) {
        lease.release();
        const endpoint = endpointOf(target);
        if (!lease.fresh && attempt === 0) {
          this.logger?.debug(
            `Reused SSH connection to ${describeEndpoint(
              endpoint,
            )} failed to open a channel; reconnecting`,
          );
          this.destroy(lease.connection);
          continue;
        }
        throw new SshProtocolError(
          `Cannot open an SSH channel on ${describeEndpoint(endpoint)}`,
          endpoint,
          e,
        );
      }
    }
  }

  // ---------------------------------------------------------------- exec

  /**
   * Runs `command` (through the login shell of the user) and collects its output.
   * Resolves for any exit status, timeout and cancellation; rejects when no session could be
   * set up (HostUnreachableError, AuthenticationFailedError, HostKeyMismatchError …) or the
   * connection was lost while the command ran (SshProtocolError).
   *
   * On timeout or cancellation the command's process group gets SIGTERM, then after
   * `killGraceMs` SIGKILL and the channel is closed.
   */
  async exec(
    target: SshTarget,
    command: string,
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const started = Date.now();
    const envTransport = options.envTransport ?? 'shell';
    const fullCommand =
      envTransport === 'shell' ? withEnvPrefix(command, options.env) : command;
    const cap = options.maxOutputBytes ?? this.maxOutputBytes;
    const stdout = new OutputCapture(cap);
    const stderr = new OutputCapture(cap);
    let timedOut = false;
    let cancelled = false;

    // One internal signal for timeout and the caller's signal.
    const stop = new AbortController();
    const onCallerAbort = () => {
      if (!timedOut) cancelled = true;
      stop.abort();
    };
    if (options.signal?.aborted) onCallerAbort();
    else options.signal?.addEventListener('abort', onCallerAbort);
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            if (!cancelled) timedOut = true;
            stop.abort();
          }, options.timeoutMs)
        : undefined;

    const result = (
      exitCode: number | null,
      signal: string | null,
    ): ExecResult => ({
      exitCode,
      signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated: stdout.truncated || stderr.truncated,
      durationMs: Date.now() - started,
      timedOut,
      cancelled,
    });

    try {
      let opened: { lease: Lease; channel: ClientChannel };
      // ssh2 may deliver exit-status and close in the same packet batch as the channel
      // confirmation: record them synchronously, before any await.
      const early: ChannelObservations = { exitCode: null, exitSignal: null };
      try {
        opened = await this.withChannel<ClientChannel>(
          target,
          stop.signal,
          (client, cb) =>
            client.exec(
              fullCommand,
              envTransport === 'ssh' && options.env ? { env: options.env } : {},
              (err, ch) => {
                if (!err) observeChannel(ch, early);
                cb(err, ch);
              },
            ),
        );
      } catch (e) {
        if (stop.signal.aborted && e instanceof OperationCancelledError) {
          return result(null, null); // timed out / cancelled before the command started
        }
        throw e;
      }
      return await runChannel(
        this.killGraceMs,
        opened.channel,
        opened.lease,
        early,
        options,
        stdout,
        stderr,
        stop.signal,
        result,
      );
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Like `exec`, but rejects with CommandTimeoutError, OperationCancelledError or CommandFailedError (exit ≠ 0). */
  async execChecked(
    target: SshTarget,
    command: string,
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const r = await this.exec(target, command, options);
    const endpoint = endpointOf(target);
    if (r.timedOut) throw new CommandTimeoutError(endpoint, options.timeoutMs!);
    if (r.cancelled) {
      throw new OperationCancelledError(
        `Command on ${describeEndpoint(endpoint)} was cancelled`,
        endpoint,
      );
    }
    if (r.exitCode !== 0) {
      throw new CommandFailedError(endpoint, r.exitCode, r.signal, r.stderr);
    }
    return r;
  }

  // ---------------------------------------------------------------- interactive shell

  /**
   * An interactive login shell on a pseudo-terminal (for web terminals). Write keystrokes to the
   * returned channel, read the terminal output from it, resize with `setWindow(rows, cols, 0, 0)`,
   * and `close()` it when done; its channel slot is freed when it closes.
   */
  async shell(
    target: SshTarget,
    options: PtyOptions = {},
  ): Promise<ClientChannel> {
    return shell((t, s, o) => this.withChannel(t, s, o), target, options);
  }

  /**
   * An interactive shell on a connection of its own: no other channel shares it, and it closes
   * with the shell. The host then gives the shell a login session of its own (with PAM, e.g. its
   * own kernel audit session id, `/proc/self/sessionid`). `before` is called first with a `run`
   * that executes a command on that same connection (same login session) and resolves to its
   * standard output; the shell opens when `before` resolved (if it throws, no shell opens).
   */
  async dedicatedShell(
    target: SshTarget,
    options: DedicatedShellOptions = {},
  ): Promise<ClientChannel> {
    const key = `${this.connectionKey(target)}#own-${randomUUID()}`;
    const lease = await this.acquire(target, options.signal, key);
    return dedicatedShell(lease, options);
  }

  // ---------------------------------------------------------------- SFTP

  /**
   * An SFTP session on a pooled connection. Call `end()` on it when done; that frees the channel.
   */
  async openSftp(
    target: SshTarget,
    options: { signal?: AbortSignal } = {},
  ): Promise<SFTPWrapper> {
    const { lease, channel } = await this.withChannel<SFTPWrapper>(
      target,
      options.signal,
      (client, cb) => client.sftp((err, sftp) => cb(err, sftp)),
    );
    releaseOnClose(lease, channel);
    return channel;
  }

  /** Streams `source` into `remotePath` (created or overwritten). */
  async uploadStream(
    target: SshTarget,
    source: Readable,
    remotePath: string,
    options: UploadOptions = {},
  ): Promise<{ bytes: number }> {
    return uploadStream(
      (t, o) => this.openSftp(t, o),
      target,
      source,
      remotePath,
      options,
    );
  }

  /** A readable stream of `remotePath`; rejects with NotFoundError when it does not exist. */
  async downloadStream(
    target: SshTarget,
    remotePath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Readable> {
    return downloadStream(
      (t, o) => this.openSftp(t, o),
      target,
      remotePath,
      options,
    );
  }

  // ---------------------------------------------------------------- shutdown

  /** Closes every connection; operations still running fail. The pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.buckets.values()].flatMap(b => b.connections);
    // close tunnelled connections before the jump hosts they run through
    all.sort((a, b) => Number(!!b.jumpLease) - Number(!!a.jumpLease));
    await Promise.all(
      all.map(
        conn =>
          new Promise<void>(resolve => {
            if (conn.state === 'closed') {
              resolve();
              return;
            }
            const t = setTimeout(() => {
              conn.client.destroy();
              this.onClosed(conn);
              resolve();
            }, 2000);
            conn.client.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            this.destroy(conn);
          }),
      ),
    );
    for (const key of [...this.buckets.keys()]) this.wake(key);
  }
}

export { RemoteNodeError };
