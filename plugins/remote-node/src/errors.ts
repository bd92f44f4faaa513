/*
 * Typed errors of opsdeck's SSH core. Messages name the host and user (user@host:port) and never
 * contain credentials: ssh2's own error text is attached as `cause` only for connection-level
 * failures, where it carries no secrets.
 */
import { CustomErrorBase } from '@backstage/errors';

/** `user@host:port` as used in every message. */
export type SshEndpoint = { host: string; port: number; username: string };

export function describeEndpoint(e: SshEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.username}@${host}:${e.port}`;
}

/** Base class of every error raised by the SSH core. */
export class RemoteNodeError extends CustomErrorBase {
  /** The endpoint the error is about, when there is one. */
  readonly endpoint?: SshEndpoint;

  constructor(message: string, endpoint?: SshEndpoint, cause?: unknown) {
    super(message, cause);
    this.endpoint = endpoint;
  }
}

/** The server rejected the credential (wrong key, wrong password, unusable private key). */
export class AuthenticationFailedError extends RemoteNodeError {
  name = 'AuthenticationFailedError' as const;
}

/** No SSH session could be set up: connection refused, DNS failure, network unreachable, timeout. */
export class HostUnreachableError extends RemoteNodeError {
  name = 'HostUnreachableError' as const;
}

/** The host presented a key other than the one pinned for it; the connection was refused. */
export class HostKeyMismatchError extends RemoteNodeError {
  name = 'HostKeyMismatchError' as const;
  readonly hostId: string;
  readonly expectedFingerprint: string;
  readonly actualFingerprint: string;

  constructor(
    endpoint: SshEndpoint,
    hostId: string,
    expected: string,
    actual: string,
  ) {
    super(
      `Host key of ${hostId} has changed: pinned ${expected}, presented ${actual}; ` +
        `refusing to connect as ${endpoint.username} (possible man-in-the-middle, or the host was reinstalled)`,
      endpoint,
    );
    this.hostId = hostId;
    this.expectedFingerprint = expected;
    this.actualFingerprint = actual;
  }
}

/**
 * First contact with a host that opsdeck would log in to with a password: its key is recorded
 * as pending and nothing was sent to it (the connection stopped before authentication) until an
 * admin accepts the key.
 */
export class HostKeyPendingError extends RemoteNodeError {
  name = 'HostKeyPendingError' as const;
  readonly hostId: string;
  readonly fingerprint: string;

  constructor(endpoint: SshEndpoint, hostId: string, fingerprint: string) {
    super(
      `Host key of ${hostId} (${fingerprint}) is not accepted yet: opsdeck sends no password to a ` +
        `host whose key is not pinned; an admin accepts the key on the host's page`,
      endpoint,
    );
    this.hostId = hostId;
    this.fingerprint = fingerprint;
  }
}

/** The command ran longer than its timeout (raised by `execChecked`; `exec` reports `timedOut`). */
export class CommandTimeoutError extends RemoteNodeError {
  name = 'CommandTimeoutError' as const;
  readonly timeoutMs: number;

  constructor(endpoint: SshEndpoint, timeoutMs: number) {
    super(
      `Command on ${describeEndpoint(
        endpoint,
      )} timed out after ${timeoutMs} ms`,
      endpoint,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The command exited non-zero or was killed by a signal (raised by `execChecked`). */
export class CommandFailedError extends RemoteNodeError {
  name = 'CommandFailedError' as const;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;

  constructor(
    endpoint: SshEndpoint,
    exitCode: number | null,
    signal: string | null,
    stderr: string,
  ) {
    const how =
      signal !== null
        ? `was killed by SIG${signal}`
        : `exited with ${exitCode}`;
    const tail = stderr.trim().split('\n').slice(-3).join('\n');
    super(
      `Command on ${describeEndpoint(endpoint)} ${how}${
        tail ? `: ${tail}` : ''
      }`,
      endpoint,
    );
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderr = stderr;
  }
}

/** The operation was cancelled through its AbortSignal, or the pool was closed. */
export class OperationCancelledError extends RemoteNodeError {
  name = 'OperationCancelledError' as const;
}

/** Any other SSH-level failure (channel refused, protocol error, connection lost mid-command). */
export class SshProtocolError extends RemoteNodeError {
  name = 'SshProtocolError' as const;
}
