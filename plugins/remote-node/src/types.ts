import type { Readable } from 'node:stream';

/**
 * How to log in. Kept only in memory, never logged, never put into error messages.
 * With both a key and a password, the key is tried first.
 */
export interface SshCredentials {
  username: string;
  /** OpenSSH (or PEM) private key text. */
  privateKey?: string | Buffer;
  /** Passphrase of an encrypted private key. */
  passphrase?: string | Buffer;
  password?: string;
}

/** A host to run things on. */
export interface SshTarget {
  host: string;
  /** Default 22. */
  port?: number;
  credentials: SshCredentials;
  /** Reach this target through another host (an SSH jump host / bastion); may itself have `via`. */
  via?: SshTarget;
}

export interface ExecOptions {
  /** Written to the command's standard input, then EOF. Without it the command gets EOF at once. */
  stdin?: string | Buffer | Readable;
  /**
   * Environment variables for the command. Values arrive verbatim (no shell expansion).
   * See `envTransport`.
   */
  env?: Record<string, string>;
  /**
   * `shell` (default): exported through a quoted prefix of the command; works on any server with
   * a POSIX login shell. `ssh`: sent as SSH "env" requests; the server drops any variable its
   * `AcceptEnv` does not list.
   */
  envTransport?: 'shell' | 'ssh';
  /** Whole-call limit, including waiting for a connection. Then the command is stopped and the result has `timedOut`. */
  timeoutMs?: number;
  /** Aborting stops the command; the result has `cancelled`. */
  signal?: AbortSignal;
  /** Each stdout chunk as it arrives (UTF-8, never split inside a character). Not subject to the output cap. */
  onStdout?: (chunk: string) => void;
  /** Each stderr chunk as it arrives. */
  onStderr?: (chunk: string) => void;
  /** Bytes of stdout and of stderr kept in the result (each); default from the pool (1 MiB). */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** The command's exit status; null when it was killed by a signal or never reported one. */
  exitCode: number | null;
  /** Name of the signal that killed the command (`TERM`, `KILL` …), else null. */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr went beyond the cap and was cut (the text ends with a marker). */
  truncated: boolean;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

/** Minimal logger (matches Backstage's LoggerService). */
export interface RemoteNodeLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface SshConnectionPoolOptions {
  /** Pinned host keys; default a fresh InMemoryHostKeyStore. */
  hostKeyStore?: import('./hostKeys').HostKeyStore;
  /** Most open connections per host+port+user+credential (default 4). */
  maxConnectionsPerHost?: number;
  /** Most channels (exec / SFTP / jump tunnels) at once on one connection (default 8; OpenSSH's MaxSessions is 10). */
  maxChannelsPerConnection?: number;
  /** An unused connection is closed after this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Limit for TCP connect + SSH handshake + authentication (default 15 s). */
  connectTimeoutMs?: number;
  /** SSH keepalive interval on open connections (default 15 s; 0 turns it off). */
  keepaliveIntervalMs?: number;
  /** After a timeout or cancel, how long the command gets between SIGTERM and closing the channel (default 1 s). */
  killGraceMs?: number;
  /** Default output cap per stream (default 1 MiB). */
  maxOutputBytes?: number;
  logger?: RemoteNodeLogger;
}

export interface SshPoolStats {
  /** Connections set up since the pool was created. */
  opened: number;
  /** Connections closed since the pool was created (idle timeout, server, error or close()). */
  closed: number;
  /** Connections open or being set up now. */
  open: number;
  /** Highest `open` seen. */
  peakOpen: number;
  /** Channels in use now. */
  activeChannels: number;
}

export interface UploadOptions {
  /** Permission bits of the remote file (applied also when the file existed). Default 0o644 for new files. */
  mode?: number;
  signal?: AbortSignal;
}

/** Terminal settings of an interactive shell (`SshConnectionPool.shell`). */
export interface PtyOptions {
  /** TERM of the pseudo-terminal (default `xterm-256color`). */
  term?: string;
  /** Columns (default 80). */
  cols?: number;
  /** Rows (default 24). */
  rows?: number;
  /** Environment sent as SSH "env" requests (the server keeps only what AcceptEnv lists). */
  env?: Record<string, string>;
  /** Aborting while the shell is being opened rejects with OperationCancelledError. */
  signal?: AbortSignal;
}

/**
 * The channel of an interactive shell (`SshConnectionPool.shell`): write keys with `write`, read
 * the terminal output from its `data` events (and `stderr`), resize with
 * `setWindow(rows, cols, 0, 0)`, end it with `close()`; it emits `close` when the shell ends.
 * Plugins use this type instead of importing ssh2.
 */
export type ShellChannel = import('ssh2').ClientChannel;
