import type { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basenameOf, dirnameOf, isInsideRoot } from '../model/paths';

/** An SFTP session as remote-node's pool opens it (ssh2's SFTPWrapper). */
type SFTPWrapper = Awaited<ReturnType<SshConnectionPool['openSftp']>>;
/** ssh2's file attributes (`isSymbolicLink()`, `isDirectory()`, `size`, `uid` …). */
type Stats = Parameters<Parameters<SFTPWrapper['lstat']>[1]>[1];

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const FAILURE = 4;

/**
 * A file operation the host's SFTP server answered with an error status
 * (no such file, permission denied, failure: a full disk shows as failure).
 * Not retried: another attempt meets the same host.
 */
export class HostFileError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'HostFileError';
  }
}

/**
 * The target is not allowed or not safe on the host: a symbolic link in its
 * directory, outside the allowed roots, a directory where the file goes.
 * Refused, not retried.
 */
export class TargetRefusedError extends Error {
  /** Stable code of the refusal (the host row's `errorCode`), for the portal. */
  readonly code: TargetRefusalCode;
  constructor(message: string, code: TargetRefusalCode) {
    super(message);
    this.name = 'TargetRefusedError';
    this.code = code;
  }
}

/** Why a host refused the target; the portal says these in the reader's language. */
export type TargetRefusalCode =
  | 'files-target-outside-roots'
  | 'files-target-symlink'
  | 'files-target-not-directory'
  | 'files-target-resolves-elsewhere'
  | 'files-target-is-directory'
  | 'files-target-temp-changed';

type SftpError = Error & { code?: number | string };

function describeStatus(code: number | string | undefined): string {
  if (code === NO_SUCH_FILE) return 'no such file or directory';
  if (code === PERMISSION_DENIED) return 'permission denied';
  if (code === FAILURE) return 'failed';
  return 'error';
}

/**
 * Turns an ssh2 SFTP error into one that names the path: a status from the
 * server becomes a HostFileError; anything else (the channel or connection
 * went away) an SshProtocolError-named error, which a distribution retries.
 */
function fileError(e: SftpError, action: string, path: string): Error {
  if (typeof e.code === 'number') {
    return new HostFileError(
      `Cannot ${action} ${path} on the host: ${describeStatus(e.code)}${
        e.code === FAILURE && e.message ? ` (${e.message})` : ''
      }`,
      e.code,
    );
  }
  const error = new Error(`Cannot ${action} ${path} on the host: ${e.message}`);
  error.name = 'SshProtocolError';
  return error;
}

/**
 * Promise-returning file operations on one SFTP session of a host (opened
 * through remote-node's pool: `ssh.openSftp`), the ones a safe distribution
 * needs: lstat/realpath to see links, exclusive create, writes and
 * attributes on the open handle, and rename(2) that never follows the target.
 */
export class HostFiles {
  constructor(private readonly sftp: SFTPWrapper) {}

  private call<T>(
    action: string,
    path: string,
    run: (cb: (err: SftpError | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      try {
        run((err, value) =>
          err ? reject(fileError(err, action, path)) : resolve(value as T),
        );
      } catch (e) {
        reject(fileError(e as SftpError, action, path));
      }
    });
  }

  /** lstat, or undefined when nothing is there. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return await this.call<Stats>('inspect', path, cb =>
        this.sftp.lstat(path, cb),
      );
    } catch (e) {
      if (e instanceof HostFileError && e.status === NO_SUCH_FILE) {
        return undefined;
      }
      throw e;
    }
  }

  realpath(path: string): Promise<string> {
    return this.call('resolve', path, cb => this.sftp.realpath(path, cb));
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.call('create directory', path, cb =>
      this.sftp.mkdir(path, { mode }, err => cb(err)),
    );
  }

  /** Opens `path`: `wx` creates it and fails if anything (a link included) is there. */
  open(path: string, flags: 'wx' | 'r+' | 'r', mode = 0o600): Promise<Buffer> {
    const action = flags === 'wx' ? 'create' : 'open';
    return this.call(action, path, cb => this.sftp.open(path, flags, mode, cb));
  }

  fstat(handle: Buffer, path: string): Promise<Stats> {
    return this.call('inspect', path, cb => this.sftp.fstat(handle, cb));
  }

  fchown(handle: Buffer, path: string, uid: number, gid: number) {
    return this.call<void>('change the owner of', path, cb =>
      this.sftp.fchown(handle, uid, gid, err => cb(err)),
    );
  }

  fchmod(handle: Buffer, path: string, mode: number) {
    return this.call<void>('change the mode of', path, cb =>
      this.sftp.fchmod(handle, mode, err => cb(err)),
    );
  }

  close(handle: Buffer, path: string): Promise<void> {
    return this.call('close', path, cb =>
      this.sftp.close(handle, err => cb(err)),
    );
  }

  /** Removes `path` itself (a link is removed, not what it points to); a missing file is fine. */
  async unlink(path: string): Promise<void> {
    try {
      await this.call<void>('remove', path, cb =>
        this.sftp.unlink(path, err => cb(err)),
      );
    } catch (e) {
      if (!(e instanceof HostFileError && e.status === NO_SUCH_FILE)) throw e;
    }
  }

  /**
   * rename(2) through OpenSSH's `posix-rename@openssh.com`: atomic, replaces
   * the target (a link at the target is replaced, never followed), fails on
   * a directory.
   */
  rename(from: string, to: string): Promise<void> {
    return this.call('rename to', to, cb =>
      this.sftp.ext_openssh_rename(from, to, err => cb(err)),
    );
  }

  /**
   * Streams `source` into the open `handle` from byte `start`; resolves when
   * the host acknowledged every write. The handle stays open.
   */
  async write(
    handle: Buffer,
    path: string,
    start: number,
    source: Readable,
    signal?: AbortSignal,
  ): Promise<void> {
    const sink = this.sftp.createWriteStream(path, {
      handle,
      start,
      autoClose: false,
    } as any);
    try {
      await pipeline(source, sink, { signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw fileError(e as SftpError, 'write', path);
    }
  }

  end(): void {
    this.sftp.end();
  }
}

/** lstat of `path`, making the directory first when nothing is there. */
async function lstatOrMake(files: HostFiles, path: string) {
  const st = await files.lstat(path);
  if (st) return st;
  try {
    await files.mkdir(path, 0o755);
  } catch (e) {
    // made at the same time by another host sharing the filesystem
    if (!(await files.lstat(path))) throw e;
  }
  return files.lstat(path);
}

/**
 * Checks, on the host, that the target's directory is a real directory
 * inside one of `roots`: every component from `/` down is looked at with
 * lstat (a missing one is created, mode 0755, and looked at again), none may
 * be a symbolic link, and realpath of the directory must be the directory
 * itself. The target may not be a directory. So a link anywhere in the path
 * (`/srv/app -> /etc`) makes the host fail with the link named, instead of
 * the file landing where the link points.
 */
export async function resolveTargetDirectory(
  files: HostFiles,
  targetPath: string,
  roots: string[],
): Promise<void> {
  const dir = dirnameOf(targetPath);
  if (!roots.some(root => isInsideRoot(dir, root))) {
    throw new TargetRefusedError(
      `${targetPath} is outside the allowed target directories (${roots.join(
        ', ',
      )})`,
      'files-target-outside-roots',
    );
  }
  let path = '';
  for (const segment of dir.split('/').slice(1)) {
    if (segment === '') continue; // the root directory itself
    path = `${path}/${segment}`;
    const st = await lstatOrMake(files, path);
    if (st?.isSymbolicLink()) {
      throw new TargetRefusedError(
        `${path} is a symbolic link on the host; opsdeck does not follow links in a target path (give the real directory)`,
        'files-target-symlink',
      );
    }
    if (!st?.isDirectory()) {
      throw new TargetRefusedError(
        `${path} on the host is not a directory`,
        'files-target-not-directory',
      );
    }
  }
  const real = await files.realpath(dir);
  if (real !== dir) {
    throw new TargetRefusedError(
      `${dir} resolves to ${real} on the host; give the real directory`,
      'files-target-resolves-elsewhere',
    );
  }
  const existing = await files.lstat(targetPath);
  if (existing?.isDirectory()) {
    throw new TargetRefusedError(
      `${targetPath} is a directory on the host; end the target path with / to write into it`,
      'files-target-is-directory',
    );
  }
}

/** Where a host receives the file before the rename: hidden, in the target's directory, with the random name. */
export function temporaryPath(targetPath: string, tempName: string): string {
  const dir = dirnameOf(targetPath);
  return dir === '/' ? `/${tempName}` : `${dir}/${tempName}`;
}

/** The random temporary name of one host's copy (`.<file>.opsdeck-<32 hex>.part`, at most 255 bytes). */
export function temporaryName(targetPath: string, random: string): string {
  const tail = `.opsdeck-${random}.part`;
  const chars = Array.from(`.${basenameOf(targetPath)}`);
  while (Buffer.byteLength(chars.join('') + tail, 'utf8') > 255) chars.pop();
  return chars.join('') + tail;
}
