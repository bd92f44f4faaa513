import type {
  ExecResult,
  SshConnectionPool,
  SshTarget,
} from '@opsdeck/plugin-remote-node';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';

/** The part of remote-node's pool the agent uses. */
export type ConfigSsh = Pick<SshConnectionPool, 'exec' | 'uploadStream'>;

export const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/** A step on the host failed; `output` is what the host said (stderr, else stdout). */
export class HostStepError extends Error {
  constructor(readonly step: string, readonly output: string) {
    super(`${step} failed: ${output.trim() || 'no output'}`.slice(0, 4000));
  }
}

function failure(step: string, r: ExecResult): HostStepError {
  if (r.timedOut) return new HostStepError(step, 'timed out');
  return new HostStepError(
    step,
    [r.stderr.trim(), r.stdout.trim()].filter(Boolean).join('\n') ||
      `exit ${r.exitCode}`,
  );
}

/** Paths of one push on one host. */
export type PushPaths = {
  target: string;
  /** Where the new file is uploaded (same directory: the swap is one rename). */
  incoming: string;
  /** The previous file, kept beside the target. */
  previous: string;
  /** The directory mirrored into the staging tree. */
  stageRoot: string;
};

export function pushPaths(
  targetPath: string,
  stageRoot: string | undefined,
  releaseId: number,
  hostName: string,
): PushPaths {
  const dir = posix.dirname(targetPath);
  const base = posix.basename(targetPath);
  // per host too: hosts sharing a filesystem (NFS, the test hosts) never
  // take each other's incoming file
  const tag = hostName.replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    target: targetPath,
    incoming: posix.join(dir, `.${base}.opsdeck-${releaseId}-${tag}`),
    previous: `${targetPath}.opsdeck-prev`,
    stageRoot: stageRoot ?? dir,
  };
}

/**
 * The steps of a config push on one host over SSH (remote-node): read the
 * live file, upload the new one beside it over SFTP, validate it with the
 * host's own binary in a staged copy of the tree, swap it in atomically
 * keeping the previous file, run the reload, put the previous file back.
 */
export class HostAgent {
  constructor(
    private readonly ssh: ConfigSsh,
    private readonly target: SshTarget,
    private readonly timeoutMs: number,
  ) {}

  private run(command: string, env: Record<string, string> = {}) {
    // Servers' binaries (nginx, redis-server) live in sbin, which a login
    // user's PATH often lacks.
    const script = `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH\n${command}`;
    return this.ssh.exec(this.target, script, {
      env,
      timeoutMs: this.timeoutMs,
    });
  }

  /** The live file's text; undefined when there is no file at the path. */
  async readLive(path: string): Promise<string | undefined> {
    const r = await this.run(
      'if [ -e "$TARGET" ]; then cat -- "$TARGET"; else exit 3; fi',
      { TARGET: path },
    );
    if (r.exitCode === 3) return undefined;
    if (r.exitCode !== 0 || r.truncated) throw failure('read live file', r);
    return r.stdout;
  }

  /** Uploads the rendered file to the incoming path (mode of the live file, else 0644). */
  async upload(paths: PushPaths, content: string): Promise<void> {
    try {
      await this.ssh.uploadStream(
        this.target,
        Readable.from([Buffer.from(content, 'utf8')]),
        paths.incoming,
        { mode: 0o644 },
      );
    } catch (e) {
      throw new HostStepError('upload', (e as Error).message);
    }
  }

  /**
   * Runs `command` against a staged copy of the stage root in which the
   * target is replaced by the incoming file (`$STAGED`, `$STAGE_ROOT`).
   */
  async validate(paths: PushPaths, command: string): Promise<void> {
    const rel = posix.relative(paths.stageRoot, paths.target);
    const script = [
      'set -eu',
      'stage=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-config.XXXXXX")',
      'trap \'rm -rf "$stage"\' EXIT',
      'if [ -d "$ROOT" ]; then cp -R -- "$ROOT/." "$stage/"; fi',
      'mkdir -p -- "$(dirname -- "$stage/$REL")"',
      'cp -- "$INCOMING" "$stage/$REL"',
      'export STAGE_ROOT="$stage" STAGED="$stage/$REL"',
      'set +e',
      `( ${command}\n)`,
    ].join('\n');
    const r = await this.run(script, {
      ROOT: paths.stageRoot,
      REL: rel,
      INCOMING: paths.incoming,
      TARGET: paths.target,
    });
    if (r.exitCode !== 0) throw failure('validation', r);
  }

  /** Removes the incoming file (after a failed validation). */
  async discard(paths: PushPaths): Promise<void> {
    await this.run('rm -f -- "$INCOMING"', { INCOMING: paths.incoming });
  }

  /**
   * Keeps the live file as the previous one and renames the incoming file
   * over the target (atomic on one filesystem), with the live file's mode.
   * Returns whether there was a live file.
   */
  async swap(paths: PushPaths): Promise<boolean> {
    const r = await this.run(
      [
        'set -eu',
        'had=0',
        'if [ -e "$TARGET" ]; then cp -p -- "$TARGET" "$PREV"; chmod --reference="$TARGET" -- "$INCOMING"; had=1; fi',
        'mv -f -- "$INCOMING" "$TARGET"',
        'echo "$had"',
      ].join('\n'),
      {
        TARGET: paths.target,
        PREV: paths.previous,
        INCOMING: paths.incoming,
      },
    );
    if (r.exitCode !== 0) throw failure('swap', r);
    return r.stdout.trim() === '1';
  }

  /** Runs a reload (or health-check script) command with `$TARGET`. */
  async command(step: string, paths: PushPaths, command: string) {
    const r = await this.run(command, { TARGET: paths.target });
    if (r.exitCode !== 0) throw failure(step, r);
  }

  /** Puts the previous file back (or removes the target when there was none). */
  async restore(paths: PushPaths, hadPrevious: boolean): Promise<void> {
    const r = await this.run(
      hadPrevious ? 'mv -f -- "$PREV" "$TARGET"' : 'rm -f -- "$TARGET"',
      { TARGET: paths.target, PREV: paths.previous },
    );
    if (r.exitCode !== 0) throw failure('restore previous file', r);
  }
}
