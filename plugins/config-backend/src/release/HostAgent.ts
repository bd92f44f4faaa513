import type {
  ExecResult,
  SshConnectionPool,
  SshTarget,
} from '@opsdeck/plugin-remote-node';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { protectedPath } from './protectedPaths';

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
  /** The previous file, kept beside the target. */
  previous: string;
  /** The directory mirrored into the staging tree. */
  stageRoot: string;
};

/** Where one push's new file waits on the host until the swap. */
export type Incoming = PushPaths & {
  /**
   * A fresh directory beside the target (mktemp -d: a name nobody knows in
   * advance, mode 0700): the swap is one rename, and nobody else who may
   * write the target's directory can plant a link where the file is written.
   */
  dir: string;
  /** The new file, in `dir`. */
  incoming: string;
};

export function pushPaths(
  targetPath: string,
  stageRoot: string | undefined,
): PushPaths {
  return {
    target: targetPath,
    previous: `${targetPath}.opsdeck-prev`,
    stageRoot: stageRoot ?? posix.dirname(targetPath),
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

  /**
   * The live file's text; undefined when there is no file at the path.
   * Refuses a path that resolves on the host, through links, to a protected
   * file (see protectedPaths.ts): what was read is dropped, never returned.
   */
  async readLive(path: string): Promise<string | undefined> {
    const r = await this.run(
      [
        'real=$(realpath -m -- "$TARGET" 2>/dev/null || readlink -f -- "$TARGET") || exit 4',
        'printf "%s\\0" "$real"',
        'if [ -e "$real" ]; then cat -- "$real"; else exit 3; fi',
      ].join('\n'),
      { TARGET: path },
    );
    const nul = r.stdout.indexOf('\0');
    const real = nul < 0 ? undefined : r.stdout.slice(0, nul);
    const why = real === undefined ? undefined : protectedPath(real);
    if (why) {
      throw new HostStepError(
        'read live file',
        `${path} resolves to ${real} on the host: ${why}`,
      );
    }
    if (r.exitCode === 3) return undefined;
    if (r.exitCode !== 0 || r.truncated || real === undefined) {
      throw failure('read live file', r);
    }
    return r.stdout.slice(nul + 1);
  }

  /**
   * Uploads the rendered file into a fresh private directory beside the
   * target (mode 0644; the swap gives it the live file's mode).
   */
  async upload(paths: PushPaths, content: string): Promise<Incoming> {
    const dir = posix.dirname(paths.target);
    const made = await this.run('mktemp -d -- "$TEMPLATE"', {
      TEMPLATE: posix.join(dir, '.opsdeck-XXXXXXXXXX'),
    });
    const dirMade = made.stdout.trim();
    if (
      made.exitCode !== 0 ||
      posix.dirname(dirMade) !== dir ||
      !/^\.opsdeck-[A-Za-z0-9]{10}$/.test(posix.basename(dirMade))
    ) {
      throw failure('upload (private directory)', made);
    }
    const incoming: Incoming = {
      ...paths,
      dir: dirMade,
      incoming: posix.join(dirMade, posix.basename(paths.target)),
    };
    try {
      await this.ssh.uploadStream(
        this.target,
        Readable.from([Buffer.from(content, 'utf8')]),
        incoming.incoming,
        { mode: 0o644 },
      );
    } catch (e) {
      await this.discard(incoming).catch(() => undefined);
      throw new HostStepError('upload', (e as Error).message);
    }
    return incoming;
  }

  /**
   * Runs `command` against a staged copy of the stage root in which the
   * target is replaced by the incoming file (`$STAGED`, `$STAGE_ROOT`).
   */
  async validate(paths: Incoming, command: string): Promise<void> {
    const rel = posix.relative(paths.stageRoot, paths.target);
    const script = [
      'set -eu',
      'stage=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-config.XXXXXX")',
      'trap \'rm -rf "$stage"\' EXIT',
      'if [ -d "$ROOT" ]; then cp -R -- "$ROOT/." "$stage/"; fi',
      // links were copied as links: the new file's directory must resolve
      // inside the copy, and a link at its own name is replaced, not followed
      'parent=$(realpath -m -- "$(dirname -- "$stage/$REL")")',
      'case "$parent/" in "$(realpath -- "$stage")/"*) ;; *) echo "the target leads out of the staging copy through a link in the stage root" >&2; exit 1 ;; esac',
      'mkdir -p -- "$parent"',
      'rm -f -- "$stage/$REL"',
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

  /** Removes the incoming file and its directory (after a failed validation). */
  async discard(paths: Incoming): Promise<void> {
    await this.run('rm -rf -- "$DIR"', { DIR: paths.dir });
  }

  /**
   * Keeps the live file as the previous one and renames the incoming file
   * over the target (atomic on one filesystem), with the live file's mode.
   * Returns whether there was a live file.
   */
  async swap(paths: Incoming): Promise<boolean> {
    // The previous file is copied in the private directory and renamed over
    // the name beside the target (-T: a link planted there is replaced, never
    // followed or entered).
    const r = await this.run(
      [
        'set -eu',
        'had=0',
        'if [ -e "$TARGET" ]; then cp -p -- "$TARGET" "$DIR/.prev"; chmod --reference="$TARGET" -- "$INCOMING"; mv -fT -- "$DIR/.prev" "$PREV"; had=1; fi',
        'mv -fT -- "$INCOMING" "$TARGET"',
        'rmdir -- "$DIR"',
        'echo "$had"',
      ].join('\n'),
      {
        TARGET: paths.target,
        PREV: paths.previous,
        INCOMING: paths.incoming,
        DIR: paths.dir,
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

  /**
   * Puts the previous file back (or removes the target when there was none).
   * With `keepFailed` the file put aside takes the previous file's name
   * (`<target>.opsdeck-prev`, for the revert step to read; see
   * ApplyPlan.keepFailed), copied in a private directory first as the swap does.
   */
  async restore(
    paths: PushPaths,
    hadPrevious: boolean,
    keepFailed = false,
  ): Promise<void> {
    let script = 'mv -fT -- "$PREV" "$TARGET"';
    if (!hadPrevious) script = 'rm -f -- "$TARGET"';
    else if (keepFailed) {
      script = [
        'set -eu',
        'dir=$(mktemp -d -- "$TEMPLATE")',
        'cp -p -- "$TARGET" "$dir/.failed"',
        'mv -fT -- "$PREV" "$TARGET"',
        'mv -fT -- "$dir/.failed" "$PREV"',
        'rmdir -- "$dir"',
      ].join('\n');
    }
    const r = await this.run(script, {
      TARGET: paths.target,
      PREV: paths.previous,
      TEMPLATE: posix.join(posix.dirname(paths.target), '.opsdeck-XXXXXXXXXX'),
    });
    if (r.exitCode !== 0) throw failure('restore previous file', r);
  }
}
