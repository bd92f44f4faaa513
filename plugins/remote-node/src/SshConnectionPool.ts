import { createHmac, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import {
  Client,
  type ClientChannel,
  type ConnectConfig,
  type SFTPWrapper,
} from 'ssh2';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthenticationFailedError,
  CommandFailedError,
  CommandTimeoutError,
  HostKeyMismatchError,
  HostKeyPendingError,
  HostUnreachableError,
  OperationCancelledError,
  RemoteNodeError,
  SshProtocolError,
  describeEndpoint,
  type SshEndpoint,
} from './errors';
import {
  type HostKeyStore,
  InMemoryHostKeyStore,
  hostKeyFingerprint,
  hostKeyId,
} from './hostKeys';
import { withEnvPrefix } from './shell';
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

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

type Connection = {
  id: number;
  key: string;
  endpoint: SshEndpoint;
  client: Client;
  state: 'connecting' | 'ready' | 'closed';
  ready: Promise<void>;
  leases: number;
  idleTimer?: NodeJS.Timeout;
  /** The channel on the jump host this connection runs through. */
  jumpLease?: Lease;
  /** Its host's pin was forgotten: no new channels; closed when the last one ends. */
  retired?: boolean;
};

type Bucket = {
  connections: Connection[];
  waiters: Set<() => void>;
};

/** A reserved channel slot on a ready connection; release exactly once (extra calls are ignored). */
type Lease = {
  connection: Connection;
  /** True when the connection was set up for this lease (not reused). */
  fresh: boolean;
  release(): void;
};

/** ssh2 errors carry `level` (client-socket, client-timeout, client-authentication …) and `code`. */
type Ssh2Error = Error & { level?: string; code?: string | number };

function endpointOf(target: SshTarget): SshEndpoint {
  return {
    host: target.host,
    port: target.port ?? 22,
    username: target.credentials.username,
  };
}

function abortError(signal: AbortSignal | undefined, what: string) {
  const reason = signal?.reason;
  return new OperationCancelledError(
    reason instanceof Error ? `${what}: ${reason.message}` : what,
  );
}

/** Resolves `promise`, or rejects once `signal` aborts (the promise keeps running). */
function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      v => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      e => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Keeps at most `limit` bytes of a stream, decoding to UTF-8 at the end. */
class OutputCapture {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer) {
    const room = this.limit - this.bytes;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(Buffer.from(kept));
    this.bytes += kept.length;
  }

  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated
      ? `${s}\n[opsdeck: output truncated after ${this.limit} bytes]`
      : s;
  }
}

/** What an exec channel reported; filled from the moment the channel exists. */
type ChannelObservations = {
  exitCode: number | null;
  exitSignal: string | null;
  closed?: boolean;
  onClose?: () => void;
};

function observeChannel(channel: ClientChannel, seen: ChannelObservations) {
  channel.once('exit', (code: number | null, signal?: string) => {
    if (typeof code === 'number') seen.exitCode = code;
    else if (signal) seen.exitSignal = signal.replace(/^SIG/, '');
  });
  channel.once('close', () => {
    seen.closed = true;
    seen.onClose?.();
  });
}

/**
 * Sends an SSH "signal" request (OpenSSH delivers it with killpg to the command's process group).
 * ssh2's `signal()` refuses once our side sent EOF (stdin finished), which the SSH protocol
 * allows; then the request goes through ssh2's protocol object directly.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL') {
  try {
    const ch = channel as unknown as {
      outgoing?: { state?: string; id?: number };
      _client?: { _protocol?: { signal?(id: number, sig: string): void } };
    };
    if (ch.outgoing?.state === 'open') {
      channel.signal(name);
    } else if (
      ch.outgoing?.state === 'eof' &&
      typeof ch.outgoing.id === 'number' &&
      typeof ch._client?._protocol?.signal === 'function'
    ) {
      ch._client._protocol.signal(ch.outgoing.id, name);
    }
  } catch {
    // the channel is closing already
  }
}

function sftpError(
  err: Ssh2Error,
  endpoint: SshEndpoint,
  path: string,
  action: string,
): Error {
  const where = `${action} ${path} on ${describeEndpoint(endpoint)}`;
  // SFTP status codes: 2 NO_SUCH_FILE, 3 PERMISSION_DENIED
  if (err.code === 2) return new NotFoundError(`Cannot ${where}: no such file`);
  if (err.code === 3) {
    return new NotAllowedError(`Cannot ${where}: permission denied`);
  }
  return new SshProtocolError(
    `Cannot ${where}: ${err.message}`,
    endpoint,
    undefined,
  );
}

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
  private async acquire(target: SshTarget, signal?: AbortSignal) {
    const key = this.connectionKey(target);
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
    conn.ready = this.handshake(target, conn).then(
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

  private async handshake(target: SshTarget, conn: Connection): Promise<void> {
    const { endpoint, client } = conn;
    const hostId = hostKeyId(endpoint.host, endpoint.port);
    let sock: Readable | undefined;
    if (target.via) {
      const jumpLease = await this.acquire(target.via);
      conn.jumpLease = jumpLease;
      sock = await this.forwardOut(jumpLease.connection, endpoint);
    }
    let mismatch: HostKeyMismatchError | HostKeyPendingError | undefined;
    let storeError: unknown;
    const c = target.credentials;
    // A key login may trust the first key a host presents: the host learns no secret. A
    // password login may not: the password would go to whoever answers at the address.
    const passwordOnly = !c.privateKey;
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: c.username,
      privateKey: c.privateKey,
      passphrase: c.passphrase,
      password: c.password,
      sock,
      readyTimeout: this.connectTimeoutMs,
      keepaliveInterval: this.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        const actual = hostKeyFingerprint(key);
        this.verifyHostKey(hostId, actual, passwordOnly).then(
          pinned => {
            if (pinned === undefined) {
              // recorded for an admin; the handshake ends before any authentication
              mismatch = new HostKeyPendingError(endpoint, hostId, actual);
              verify(false);
              return;
            }
            if (pinned !== actual) {
              mismatch = new HostKeyMismatchError(
                endpoint,
                hostId,
                pinned,
                actual,
              );
              verify(false);
            } else {
              verify(true);
            }
          },
          e => {
            storeError = e;
            verify(false);
          },
        );
      },
    };
    if (!c.privateKey && c.password === undefined) {
      throw new InputError(
        `No private key or password given for ${describeEndpoint(endpoint)}`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Ssh2Error) => {
        client.removeListener('ready', onReady);
        reject(
          this.mapConnectError(err, endpoint, target, mismatch, storeError),
        );
      };
      function onReady() {
        client.removeListener('error', onError);
        resolve();
      }
      client.once('error', onError);
      client.once('ready', onReady);
      // closed without an error event (the pool was closed while connecting)
      client.once('close', () =>
        reject(
          new HostUnreachableError(
            `Connection to ${describeEndpoint(
              endpoint,
            )} closed during the SSH handshake`,
            endpoint,
          ),
        ),
      );
      try {
        client.connect(config);
      } catch (e) {
        // ssh2 throws synchronously for an unusable private key (bad format or passphrase)
        client.removeListener('error', onError);
        client.removeListener('ready', onReady);
        reject(
          new AuthenticationFailedError(
            `Cannot use the private key for ${describeEndpoint(
              endpoint,
            )} (malformed, or wrong passphrase)`,
            endpoint,
          ),
        );
      }
    });
  }

  /**
   * The pinned fingerprint of the host after this connection's key was seen: a key login pins
   * the first key (trust on first use); a password login to a host with nothing pinned records
   * the key as pending and gets undefined.
   */
  private async verifyHostKey(
    hostId: string,
    actual: string,
    passwordOnly: boolean,
  ): Promise<string | undefined> {
    if (!passwordOnly) return this.hostKeys.pin(hostId, actual);
    const pinned = await this.hostKeys.get(hostId);
    if (pinned !== undefined) return pinned;
    await this.hostKeys.offer(hostId, actual);
    return undefined;
  }

  private mapConnectError(
    err: Ssh2Error,
    endpoint: SshEndpoint,
    target: SshTarget,
    mismatch: HostKeyMismatchError | HostKeyPendingError | undefined,
    storeError: unknown,
  ): Error {
    const who = describeEndpoint(endpoint);
    const via = target.via ? ` via ${target.via.host}` : '';
    if (mismatch) return mismatch;
    if (storeError) {
      return new SshProtocolError(
        `Cannot check the host key of ${who}: the host key store failed`,
        endpoint,
        storeError,
      );
    }
    if (err.level === 'client-authentication') {
      return new AuthenticationFailedError(
        `Authentication failed for ${who}${via}: the server rejected the credential`,
        endpoint,
      );
    }
    if (err.level === 'client-timeout') {
      return new HostUnreachableError(
        `Host ${endpoint.host}:${endpoint.port}${via} unreachable: no SSH handshake within ${this.connectTimeoutMs} ms (user ${endpoint.username})`,
        endpoint,
      );
    }
    if (
      err.level === 'client-socket' ||
      err.level === 'client-dns' ||
      (typeof err.code === 'string' && UNREACHABLE_CODES.has(err.code))
    ) {
      return new HostUnreachableError(
        `Host ${endpoint.host}:${endpoint.port}${via} unreachable (user ${endpoint.username})`,
        endpoint,
        err,
      );
    }
    return new SshProtocolError(
      `SSH connection to ${who}${via} failed`,
      endpoint,
      err,
    );
  }

  /** Opens a direct-tcpip tunnel from the jump connection to the endpoint. */
  private forwardOut(jump: Connection, endpoint: SshEndpoint) {
    return new Promise<ClientChannel>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new HostUnreachableError(
            `Host ${endpoint.host}:${endpoint.port} unreachable via ${jump.endpoint.host}: no tunnel within ${this.connectTimeoutMs} ms`,
            endpoint,
          ),
        );
      }, this.connectTimeoutMs);
      const fail = (err: Ssh2Error) => {
        clearTimeout(timer);
        reject(
          new HostUnreachableError(
            `Host ${endpoint.host}:${endpoint.port} unreachable via ${jump.endpoint.host}`,
            endpoint,
            err,
          ),
        );
      };
      try {
        jump.client.forwardOut(
          '127.0.0.1',
          0,
          endpoint.host,
          endpoint.port,
          (err, stream) => {
            clearTimeout(timer);
            if (err) fail(err);
            else resolve(stream);
          },
        );
      } catch (e) {
        fail(e as Error);
      }
    });
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
      return await this.runChannel(
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

  /**
   * Drives one exec channel to its end. The lease is released when the channel is really
   * closed (so channel accounting matches the server), which can be after the promise settles.
   */
  private runChannel(
    channel: ClientChannel,
    lease: Lease,
    seen: ChannelObservations,
    options: ExecOptions,
    stdout: OutputCapture,
    stderr: OutputCapture,
    stop: AbortSignal,
    result: (code: number | null, signal: string | null) => ExecResult,
  ): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      let callbackError: unknown;
      let killTimer: NodeJS.Timeout | undefined;
      let giveUpTimer: NodeJS.Timeout | undefined;
      let finished = false;
      let lost = false;
      const outDecoder = new StringDecoder('utf8');
      const errDecoder = new StringDecoder('utf8');
      const client = lease.connection.client;
      const endpoint = lease.connection.endpoint;
      const killGraceMs = this.killGraceMs;

      const emit = (cb: ((s: string) => void) | undefined, s: string) => {
        if (!cb || !s || callbackError) return;
        try {
          cb(s);
        } catch (e) {
          callbackError = e;
          stopCommand();
        }
      };

      function stopCommand() {
        if (finished || killTimer) return;
        sendSignal(channel, 'TERM');
        killTimer = setTimeout(() => {
          sendSignal(channel, 'KILL');
          try {
            channel.close();
          } catch {
            // already closed
          }
          // A server without signal support keeps the channel until the process exits:
          // stop waiting for it (the channel slot stays taken until it really closes).
          giveUpTimer = setTimeout(finish, killGraceMs);
        }, killGraceMs);
      }

      const cleanupAfterClose = () => {
        client.removeListener('close', onConnectionClose);
        lease.release();
      };

      function finish() {
        if (finished) return;
        finished = true;
        if (killTimer) clearTimeout(killTimer);
        if (giveUpTimer) clearTimeout(giveUpTimer);
        stop.removeEventListener('abort', stopCommand);
        emit(options.onStdout, outDecoder.end());
        emit(options.onStderr, errDecoder.end());
        if (callbackError) {
          reject(callbackError);
        } else if (
          lost &&
          seen.exitCode === null &&
          seen.exitSignal === null &&
          !stop.aborted
        ) {
          reject(
            new SshProtocolError(
              `Connection to ${describeEndpoint(
                endpoint,
              )} was lost while the command ran`,
              endpoint,
            ),
          );
        } else {
          resolve(result(seen.exitCode, seen.exitSignal));
        }
      }
      function onConnectionClose() {
        lost = true;
        finish();
        cleanupAfterClose();
      }

      channel.on('data', (d: Buffer) => {
        stdout.push(d);
        emit(options.onStdout, outDecoder.write(d));
      });
      channel.stderr.on('data', (d: Buffer) => {
        stderr.push(d);
        emit(options.onStderr, errDecoder.write(d));
      });
      channel.on('error', () => {}); // followed by close
      const onClose = () => {
        // 'close' can come before the last buffered 'data' events were delivered
        setImmediate(() => {
          finish();
          cleanupAfterClose();
        });
      };
      if (seen.closed) onClose();
      else seen.onClose = onClose;
      client.once('close', onConnectionClose);

      if (stop.aborted) stopCommand();
      else stop.addEventListener('abort', stopCommand);

      const { stdin } = options;
      if (stdin === undefined) {
        channel.end();
      } else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
        channel.end(stdin);
      } else {
        stdin.on('error', () => channel.end());
        stdin.pipe(channel);
      }
    });
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
    const { lease, channel } = await this.withChannel<ClientChannel>(
      target,
      options.signal,
      (client, cb) =>
        client.shell(
          {
            term: options.term ?? 'xterm-256color',
            cols: options.cols ?? 80,
            rows: options.rows ?? 24,
            width: 0,
            height: 0,
          },
          options.env ? { env: options.env } : {},
          (err, ch) => cb(err, ch),
        ),
    );
    const client = lease.connection.client;
    // ssh2 also emits 'close' on every channel of a lost connection
    const release = () => {
      client.removeListener('close', release);
      lease.release();
    };
    channel.once('close', release);
    client.once('close', release);
    return channel;
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
    const client = lease.connection.client;
    const release = () => {
      client.removeListener('close', release);
      lease.release();
    };
    channel.once('close', release);
    client.once('close', release);
    return channel;
  }

  /** Streams `source` into `remotePath` (created or overwritten). */
  async uploadStream(
    target: SshTarget,
    source: Readable,
    remotePath: string,
    options: UploadOptions = {},
  ): Promise<{ bytes: number }> {
    const endpoint = endpointOf(target);
    const sftp = await this.openSftp(target, { signal: options.signal });
    try {
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      const sink = sftp.createWriteStream(remotePath, {
        mode: options.mode ?? 0o644,
      });
      // The write stream emits 'finish' before its remote handle is closed; wait for 'close'.
      const closed = new Promise<void>((resolve, reject) => {
        sink.once('close', resolve);
        sink.once('error', reject);
      });
      try {
        await pipeline(source, counter, sink, { signal: options.signal });
        await closed;
      } catch (e) {
        closed.catch(() => {});
        if (options.signal?.aborted) {
          throw new OperationCancelledError(
            `Upload of ${remotePath} to ${describeEndpoint(
              endpoint,
            )} was cancelled`,
            endpoint,
          );
        }
        throw sftpError(e as Ssh2Error, endpoint, remotePath, 'write');
      }
      if (options.mode !== undefined) {
        await new Promise<void>((resolve, reject) =>
          sftp.chmod(remotePath, options.mode!, err =>
            err
              ? reject(sftpError(err, endpoint, remotePath, 'chmod'))
              : resolve(),
          ),
        );
      }
      return { bytes };
    } finally {
      sftp.end();
    }
  }

  /** A readable stream of `remotePath`; rejects with NotFoundError when it does not exist. */
  async downloadStream(
    target: SshTarget,
    remotePath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Readable> {
    const endpoint = endpointOf(target);
    const sftp = await this.openSftp(target, options);
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.stat(remotePath, (err, stats) => {
          if (err) reject(sftpError(err, endpoint, remotePath, 'read'));
          else if (!stats.isFile()) {
            reject(
              new InputError(
                `${remotePath} on ${describeEndpoint(
                  endpoint,
                )} is not a regular file`,
              ),
            );
          } else resolve();
        }),
      );
    } catch (e) {
      sftp.end();
      throw e;
    }
    const stream = sftp.createReadStream(remotePath);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      sftp.end();
    };
    stream.once('close', end);
    stream.once('error', end);
    return stream;
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
