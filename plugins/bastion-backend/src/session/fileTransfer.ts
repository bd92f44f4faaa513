/**
 * File transfer inside a session (SFTP on the session's host, as its login user), judged by
 * rules of kind `file` against the path as the host resolves it (`realpath`: `..` and symlinks
 * followed; for a file that does not exist yet, its directory), e.g. `upload /etc/cron.d/x`.
 */
import type { SshConnectionPool, SshTarget } from '@opsdeck/plugin-remote-node';
import { posix } from 'node:path';
import { judgeItems, type CompiledRule, type Verdict } from '../commands/rules';

type Sftp = Awaited<ReturnType<SshConnectionPool['openSftp']>>;

function realpath(sftp: Sftp, path: string): Promise<string | undefined> {
  return new Promise(resolve =>
    sftp.realpath(path, (err, abs) => resolve(err ? undefined : abs)),
  );
}

function exists(sftp: Sftp, path: string): Promise<boolean> {
  return new Promise(resolve => sftp.lstat(path, err => resolve(!err)));
}

/**
 * The absolute path the host resolves `path` to for the login user: relative paths from the
 * home directory, symlinks and `..` followed (of the directory, when the file is new).
 */
export async function resolveOnHost(
  ssh: Pick<SshConnectionPool, 'openSftp'>,
  target: SshTarget,
  path: string,
): Promise<string> {
  const sftp = await ssh.openSftp(target);
  try {
    if (await exists(sftp, path)) {
      const full = await realpath(sftp, path);
      if (full) return full;
    }
    const dir = await realpath(sftp, posix.dirname(path) || '.');
    if (!dir) {
      const home = (await realpath(sftp, '.')) ?? '/';
      return posix.resolve(home, path);
    }
    return posix.join(dir, posix.basename(path));
  } finally {
    sftp.end();
  }
}

/** How the session's rules judge a transfer (`review` is not offered for files: refused). */
export function judgeTransfer(
  rules: CompiledRule[],
  direction: 'upload' | 'download',
  resolvedPath: string,
): Verdict {
  const verdict = judgeItems(rules, [
    { kind: 'file', text: `${direction} ${resolvedPath}` },
  ]);
  return verdict.action === 'review'
    ? { ...verdict, action: 'reject' }
    : verdict;
}
