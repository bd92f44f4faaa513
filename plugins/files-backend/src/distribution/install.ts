import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import type { SshConnectionPool, SshTarget } from '@opsdeck/plugin-remote-node';
import { randomBytes } from 'node:crypto';
import type { DistributionStore } from '../database/DistributionStore';
import type {
  DistributionHost,
  DistributionWithHosts,
} from '../database/types';
import {
  HostFiles,
  resolveTargetDirectory,
  TargetRefusedError,
  temporaryName,
} from './hostFiles';
import { checksumCommand, ownerIdsCommand } from './remoteCommands';

/** The part of the SSH core a distribution uses. */
export type DistributionSsh = Pick<
  SshConnectionPool,
  'exec' | 'execChecked' | 'openSftp'
>;

/** A failure that another attempt will not fix (full disk, wrong checksum, refused target). */
export class PermanentHostError extends Error {}

/** The copy on the host is not the library's file (its temporary file is removed). */
export class ChecksumMismatchError extends PermanentHostError {}

/** Bytes before the end of a partial copy that a resume sends again (SFTP keeps several writes in flight). */
export const RESUME_BACKOFF = 4 * 1024 * 1024;

/** What installing a copy on one host needs. */
export type InstallContext = {
  ssh: DistributionSsh;
  target: SshTarget;
  files: HostFiles;
  signal: AbortSignal;
  timeoutMs: number;
};

/**
 * The random temporary name of a host's copy: chosen once, kept in the
 * database (a resume after a restart finds the copy again), unpredictable to
 * anyone on the host (128 random bits), so nobody can put a link there first.
 */
export async function temporaryNameOf(
  store: DistributionStore,
  d: DistributionWithHosts,
  h: DistributionHost,
): Promise<string> {
  if (h.tempName) return h.tempName;
  const name = temporaryName(d.targetPath, randomBytes(16).toString('hex'));
  await store.updateHost(d.id, h.host, { tempName: name });
  h.tempName = name;
  return name;
}

/** Numeric ids for `user[:group]` on the host (undefined parts stay as they are). */
export async function ownerIds(
  ctx: InstallContext,
  owner: string,
): Promise<{ uid?: number; gid?: number }> {
  const r = await ctx.ssh.exec(ctx.target, ownerIdsCommand(owner), {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  const [u, g] = r.stdout.trim().split(/\s+/);
  if (r.exitCode !== 0 || u === undefined || g === undefined) {
    throw new PermanentHostError(
      `Cannot give ${owner} the file: ${
        r.stderr.trim() || 'owner lookup failed'
      }`,
    );
  }
  return {
    uid: u === '-' ? undefined : Number(u),
    gid: g === '-' ? undefined : Number(g),
  };
}

/**
 * Opens the host's temporary file for writing. With `resume`, a regular
 * file already there (an interrupted attempt's) is kept and writing goes on
 * RESUME_BACKOFF bytes before its end; anything else under the name is
 * removed (unlink: a link goes, not what it points to) and the file is made
 * anew with an exclusive create (mode 0600), which fails if anything
 * appeared there meanwhile.
 */
export async function openTemporary(
  files: HostFiles,
  tmpPath: string,
  size: number,
  resume: boolean,
): Promise<{ handle: Buffer; offset: number }> {
  const st = await files.lstat(tmpPath);
  if (st && resume && st.isFile() && st.size <= size) {
    const offset = Math.max(0, st.size - RESUME_BACKOFF);
    // fails when the copy already has its final mode without write access: start over
    const handle = await files.open(tmpPath, 'r+').catch(() => undefined);
    if (handle) {
      const opened = await files.fstat(handle, tmpPath);
      if (opened.isFile() && opened.size >= offset) return { handle, offset };
      await files.close(handle, tmpPath);
      throw new TargetRefusedError(
        `The temporary file ${tmpPath} changed while it was opened`,
        'files-target-temp-changed',
      );
    }
  }
  if (st) await files.unlink(tmpPath);
  return { handle: await files.open(tmpPath, 'wx', 0o600), offset: 0 };
}

/**
 * Owner and mode of the copy, set on its open handle (fchown/fchmod through
 * SFTP), never by path: nothing put at the name later can redirect them.
 * The owner first, since a change of owner may clear set-id bits.
 */
export async function setAttributes(
  files: HostFiles,
  handle: Buffer,
  path: string,
  mode: number,
  ids: { uid?: number; gid?: number } | undefined,
): Promise<void> {
  if (ids && (ids.uid !== undefined || ids.gid !== undefined)) {
    const st = await files.fstat(handle, path);
    await files.fchown(handle, path, ids.uid ?? st.uid, ids.gid ?? st.gid);
  }
  await files.fchmod(handle, path, mode);
}

/**
 * Checks the SHA-256 of the temporary file on the host, then renames it over
 * the target (rename(2) through SFTP: atomic; a link at the target is
 * replaced, not followed), after checking the target's directory once more.
 * A copy that does not match is removed (ChecksumMismatchError).
 */
export async function verifyAndInstall(
  ctx: InstallContext,
  options: {
    tmpPath: string;
    targetPath: string;
    sha256: string;
    roots: string[];
  },
): Promise<void> {
  const r = await ctx.ssh.exec(ctx.target, checksumCommand(options.tmpPath), {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  if (r.timedOut) {
    const e = new Error(`Checksum timed out after ${ctx.timeoutMs} ms`);
    e.name = 'CommandTimeoutError';
    throw e;
  }
  const actual = r.stdout.trim().split(/\s+/)[0] ?? '';
  if (r.exitCode !== 0 || actual !== options.sha256) {
    await ctx.files.unlink(options.tmpPath).catch(() => undefined);
    throw new ChecksumMismatchError(
      r.exitCode !== 0
        ? `Computing the SHA-256 on the host failed (exit ${
            r.exitCode
          }): ${r.stderr.trim().slice(-200)}`
        : `SHA-256 on the host differs from the library's ${options.sha256.slice(
            0,
            12,
          )}… (got ${actual.slice(0, 12)}…); the file was not installed`,
    );
  }
  crashPoint('files.distribution.verify');
  // the directory may have been swapped for a link since the transfer began
  await resolveTargetDirectory(ctx.files, options.targetPath, options.roots);
  await ctx.files.rename(options.tmpPath, options.targetPath);
  crashPoint('files.distribution.rename');
}
