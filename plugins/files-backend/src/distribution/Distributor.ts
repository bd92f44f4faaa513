import type { LoggerService } from '@backstage/backend-plugin-api';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import { fanOut, type SshTarget } from '@opsdeck/plugin-remote-node';
import type { SecretTarget, VaultService } from '@opsdeck/plugin-vault-node';
import { Readable, Transform } from 'node:stream';
import type { DistributionStore } from '../database/DistributionStore';
import type { FileLibrary } from '../database/FileLibrary';
import type {
  DistributionHost,
  DistributionWithHosts,
  HostProgress,
} from '../database/types';
import { dirnameOf } from '../model/paths';
import {
  createRunCredentialResolver,
  type HostCredentials,
} from './credentials';
import {
  HostFiles,
  resolveTargetDirectory,
  TargetRefusedError,
  temporaryPath,
} from './hostFiles';
import {
  ChecksumMismatchError,
  type DistributionSsh,
  type InstallContext,
  openTemporary,
  ownerIds,
  PermanentHostError,
  setAttributes,
  temporaryNameOf,
  verifyAndInstall,
} from './install';
import { relayDistribution, type Live } from './relay';
import { freeSpaceCommand } from './remoteCommands';

export type { DistributionSsh } from './install';

const RETRYABLE = new Set([
  'HostUnreachableError',
  'SshProtocolError',
  'CommandTimeoutError',
]);

export type DistributorOptions = {
  store: DistributionStore;
  library: FileLibrary;
  ssh: DistributionSsh;
  /** SSH logins are taken out of the vault per run, checked against each credential's policy. */
  vault: Pick<VaultService, 'getSecret'>;
  /** Owner, system and environment of host entities as the catalog holds them now. */
  hostTargets(refs: string[]): Promise<Map<string, SecretTarget>>;
  /** A stored version's bytes as a stream (local file or S3 object), opened per transfer. */
  openStored(storageKey: string, start?: number): Promise<Readable>;
  /** The directories a target may be in, for a host's environment (`opsdeck.files.distribution.allowedRoots`). */
  allowedRoots(environment: string | undefined): string[];
  logger: LoggerService;
  attempts: number;
  commandTimeoutMs: number;
  defaultCredential?: string;
  /** Milliseconds between progress writes to the database. */
  progressIntervalMs?: number;
  /** Pause before another attempt on a host. */
  retryDelayMs?: number;
  /** Relay: how long a hop may run on after the hop before it ended (default 30 s). */
  relayGraceMs?: number;
  /** Relay: how long the head may take no bytes before the chain is given up (default 30 s). */
  relayStallMs?: number;
};

/**
 * Pushes library files to hosts. Per host, through SFTP: the target's
 * directory is resolved on the host (no symbolic link in any component,
 * inside the environment's allowed roots), the file goes to a temporary file
 * with a random name made by an exclusive create, owner and mode are set on
 * the open handle, the SHA-256 is checked on the host, and rename(2) puts it
 * in place. Hosts run with a concurrency bound; each host's state is kept in
 * the database, so a distribution interrupted by a restart resumes and
 * failed hosts can be retried. Relay mode: see relay.ts.
 */
export class Distributor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly live = new Map<string, Map<string, Live>>();
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: DistributorOptions) {}

  /** Runs the distribution's pending hosts in the background (no-op if already running). */
  start(id: string): void {
    if (this.running.has(id)) {
      this.rerun.add(id);
      return;
    }
    const run = this.run(id)
      .catch(e =>
        this.deps.logger.error(
          `Distribution ${id} stopped: ${(e as Error).message}`,
        ),
      )
      .finally(() => {
        this.running.delete(id);
        if (this.rerun.delete(id) && !this.shutdown.signal.aborted) {
          this.start(id);
        }
      });
    this.running.set(id, run);
  }

  /** Resolves when the distribution's current run has ended (tests, shutdown). */
  async settled(id: string): Promise<void> {
    while (this.running.has(id)) await this.running.get(id);
  }

  /** Bytes and rate of hosts being written right now by this process. */
  liveProgress(id: string): ReadonlyMap<string, Live> | undefined {
    return this.live.get(id);
  }

  /** Puts hosts that were mid-transfer when the process stopped back in line, and runs them. */
  async resumeInterrupted(): Promise<number> {
    const interrupted = await this.deps.store.listRunning();
    for (const d of interrupted) {
      await this.deps.store.requeueHosts(d.id, ['transferring', 'verifying']);
      this.deps.logger.info(`Resuming distribution ${d.id}`);
      this.start(d.id);
    }
    return interrupted.length;
  }

  /** Stops every run; hosts keep their state so the next start resumes them. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await Promise.all([...this.running.values()]);
  }

  private async run(id: string): Promise<void> {
    const { store, library } = this.deps;
    const d = await store.get(id);
    if (!d) return;
    const pending = d.hosts.filter(h => h.state === 'pending');
    const file = await library.get(d.fileId);
    if (!file) {
      for (const h of pending) {
        await store.updateHost(id, h.host, {
          state: 'failed',
          error: `File version ${d.fileName} v${d.fileVersion} was deleted`,
          finishedAt: new Date().toISOString(),
        });
      }
      await store.finish(id);
      return;
    }
    // what each host's login is taken out of the vault for: the host entity now
    const targets = await this.deps.hostTargets(pending.map(h => h.host));
    for (const h of pending) {
      // the allowed roots follow the host's environment as the catalog has it now
      h.environment = targets.get(h.host)?.environment ?? h.environment;
    }
    const live = new Map<string, Live>();
    this.live.set(id, live);
    const flush = setInterval(() => {
      for (const [host, p] of live) {
        store.updateHost(id, host, p).catch(() => {});
      }
    }, this.deps.progressIntervalMs ?? 1000);
    const credentials = createRunCredentialResolver({
      vault: this.deps.vault,
      targets,
      actor: d.createdBy.startsWith('user:') ? d.createdBy : undefined,
      defaultCredential: this.deps.defaultCredential,
    });
    try {
      let direct = pending;
      if (d.strategy !== 'direct' && pending.length > 1) {
        const verified = await relayDistribution(
          {
            ...this.deps,
            signal: this.shutdown.signal,
            credentials,
            live,
          },
          d,
          pending,
          file.storageKey,
        );
        // Hosts the chain did not verify get the file directly.
        direct = pending
          .filter(h => !verified.has(h.host))
          .map(h => ({ ...h, attempts: h.attempts + 1 }));
      }
      if (this.shutdown.signal.aborted) return;
      await fanOut(
        direct,
        host =>
          this.pushWithRetries(d, host, file.storageKey, credentials, live),
        { concurrency: d.concurrency, signal: this.shutdown.signal },
      );
    } finally {
      clearInterval(flush);
      this.live.delete(id);
    }
    if (!this.shutdown.signal.aborted && !this.rerun.has(id)) {
      await store.finish(id);
    }
  }

  private async pushWithRetries(
    d: DistributionWithHosts,
    h: DistributionHost,
    storageKey: string,
    credentials: HostCredentials,
    live: Map<string, Live>,
  ): Promise<void> {
    const { store, attempts } = this.deps;
    const update = (p: HostProgress) => store.updateHost(d.id, h.host, p);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const started = Date.now();
      await update({
        state: 'transferring',
        attempts: h.attempts + attempt,
        bytes: 0,
        rate: 0,
        error: undefined,
        startedAt: new Date(started).toISOString(),
        finishedAt: undefined,
      });
      try {
        const tmpPath = temporaryPath(
          d.targetPath,
          await temporaryNameOf(store, d, h),
        );
        // an earlier attempt (or a run cut short) may have left a partial copy
        let resume = h.attempts + attempt > 1;
        let bytes: number;
        for (;;) {
          try {
            bytes = await this.pushOnce(d, h, tmpPath, storageKey, {
              credentials,
              live,
              update,
              resume,
            });
            break;
          } catch (e) {
            if (!(e instanceof ChecksumMismatchError) || !resume) throw e;
            // The kept part was not what we thought (it was removed): send it all.
            this.deps.logger.warn(
              `Distribution ${d.id}: ${h.host} resumed copy did not match, sending the whole file`,
            );
            resume = false;
          }
        }
        live.delete(h.host);
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        await update({
          state: 'verified',
          bytes,
          rate: bytes / seconds,
          finishedAt: new Date().toISOString(),
        });
        return;
      } catch (e) {
        live.delete(h.host);
        if (this.shutdown.signal.aborted) return; // resumed at next start
        const error = e as Error;
        const retry =
          attempt < attempts &&
          !(error instanceof PermanentHostError) &&
          RETRYABLE.has(error.name);
        this.deps.logger.warn(
          `Distribution ${d.id}: ${h.host} attempt ${attempt} failed: ${error.message}`,
        );
        if (retry) {
          await new Promise(r => setTimeout(r, this.deps.retryDelayMs ?? 1000));
          continue;
        }
        await update({
          state: 'failed',
          error: error.message,
          errorCode:
            error instanceof TargetRefusedError ? error.code : undefined,
          finishedAt: new Date().toISOString(),
        });
        return;
      }
    }
  }

  /**
   * One attempt on one host; resolves with the bytes written. With `resume`,
   * what an interrupted attempt left in the temporary file is kept and only
   * the rest is sent (the whole-file SHA-256 check still decides).
   */
  private async pushOnce(
    d: DistributionWithHosts,
    h: DistributionHost,
    tmpPath: string,
    storageKey: string,
    run: {
      credentials: HostCredentials;
      live: Map<string, Live>;
      update: (p: HostProgress) => Promise<void>;
      resume: boolean;
    },
  ): Promise<number> {
    const { ssh } = this.deps;
    const signal = this.shutdown.signal;
    const target: SshTarget = {
      host: h.address,
      port: h.port,
      credentials: await run.credentials(h),
    };
    const roots = this.deps.allowedRoots(h.environment);
    const files = new HostFiles(await ssh.openSftp(target, { signal }));
    const ctx: InstallContext = {
      ssh,
      target,
      files,
      signal,
      timeoutMs: this.deps.commandTimeoutMs,
    };
    let created = false;
    try {
      await resolveTargetDirectory(files, d.targetPath, roots);
      const ids = d.fileOwner ? await ownerIds(ctx, d.fileOwner) : undefined;
      const { handle, offset } = await openTemporary(
        files,
        tmpPath,
        d.size,
        run.resume,
      );
      created = true;
      const progress: Live = { bytes: offset, rate: 0 };
      try {
        run.live.set(h.host, progress);
        const started = Date.now();
        const file =
          offset === d.size
            ? Readable.from([]) // all there already; only the check is left
            : await this.deps.openStored(storageKey, offset);
        // Counts bytes as they leave for the host (the pipe keeps backpressure).
        const source = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            progress.bytes += chunk.length;
            progress.rate =
              (progress.bytes - offset) /
              Math.max((Date.now() - started) / 1000, 0.001);
            cb(null, chunk);
          },
        });
        file.once('error', e => source.destroy(e));
        file.pipe(source);
        try {
          await files.write(handle, tmpPath, offset, source, signal);
        } catch (e) {
          file.destroy();
          source.destroy();
          // Stopping: keep what arrived; the next start resumes from there.
          if (signal.aborted) throw e;
          throw await this.diagnoseWriteFailure(target, d, e as Error);
        }
        crashPoint('files.distribution.upload');
        await setAttributes(files, handle, tmpPath, d.fileMode ?? 0o644, ids);
        crashPoint('files.distribution.chmod');
      } finally {
        await files.close(handle, tmpPath).catch(() => undefined);
      }
      run.live.delete(h.host);
      await run.update({
        state: 'verifying',
        bytes: progress.bytes,
        rate: progress.rate,
      });
      await verifyAndInstall(ctx, {
        tmpPath,
        targetPath: d.targetPath,
        sha256: d.sha256,
        roots,
      });
      return progress.bytes;
    } catch (e) {
      // A target is never partial: what did not make it is removed (a stop keeps it to resume).
      if (created && !signal.aborted && !(e instanceof TargetRefusedError)) {
        await files.unlink(tmpPath).catch(() => undefined);
      }
      throw e;
    } finally {
      files.end();
    }
  }

  /** Turns an SFTP write failure into its reason, naming a full disk as such. */
  private async diagnoseWriteFailure(
    target: SshTarget,
    d: DistributionWithHosts,
    error: Error,
  ): Promise<Error> {
    if (this.shutdown.signal.aborted) return error;
    const dir = dirnameOf(d.targetPath);
    try {
      const r = await this.deps.ssh.exec(target, freeSpaceCommand(dir), {
        timeoutMs: this.deps.commandTimeoutMs,
      });
      const freeKiB = Number(r.stdout.trim());
      if (
        r.exitCode === 0 &&
        Number.isFinite(freeKiB) &&
        freeKiB * 1024 < d.size
      ) {
        return new PermanentHostError(
          `No space left on the host: ${dir} has ${freeKiB} KiB free, the file needs ${d.size} bytes`,
        );
      }
    } catch {
      // keep the original error
    }
    return error;
  }
}
