/** Internal helpers and types shared by the SshConnectionPool modules (not exported from the package). */
import type { Client, ClientChannel } from 'ssh2';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  OperationCancelledError,
  SshProtocolError,
  describeEndpoint,
  type SshEndpoint,
} from './errors';
import type { SshTarget } from './types';

export const UNREACHABLE_CODES = new Set([
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

export type Connection = {
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

export type Bucket = {
  connections: Connection[];
  waiters: Set<() => void>;
};

/** A reserved channel slot on a ready connection; release exactly once (extra calls are ignored). */
export type Lease = {
  connection: Connection;
  /** True when the connection was set up for this lease (not reused). */
  fresh: boolean;
  release(): void;
};

/**
 * Releases `lease` once when `channel` closes or its connection is lost (ssh2
 * also emits 'close' on every channel of a lost connection).
 */
export function releaseOnClose(
  lease: Lease,
  channel: { once(event: 'close', listener: () => void): unknown },
) {
  const client = lease.connection.client;
  const release = () => {
    client.removeListener('close', release);
    lease.release();
  };
  channel.once('close', release);
  client.once('close', release);
}

/** ssh2 errors carry `level` (client-socket, client-timeout, client-authentication …) and `code`. */
export type Ssh2Error = Error & { level?: string; code?: string | number };

export function endpointOf(target: SshTarget): SshEndpoint {
  return {
    host: target.host,
    port: target.port ?? 22,
    username: target.credentials.username,
  };
}

export function abortError(signal: AbortSignal | undefined, what: string) {
  const reason = signal?.reason;
  return new OperationCancelledError(
    reason instanceof Error ? `${what}: ${reason.message}` : what,
  );
}

/** Resolves `promise`, or rejects once `signal` aborts (the promise keeps running). */
export function raceAbort<T>(
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
export class OutputCapture {
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
export type ChannelObservations = {
  exitCode: number | null;
  exitSignal: string | null;
  closed?: boolean;
  onClose?: () => void;
};

export function observeChannel(
  channel: ClientChannel,
  seen: ChannelObservations,
) {
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
export function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL') {
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

export function sftpError(
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
