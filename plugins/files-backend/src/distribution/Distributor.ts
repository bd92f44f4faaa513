import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SecretTarget, VaultService } from '@opsdeck/plugin-vault-node';
import {
  fanOut,
  type SshConnectionPool,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
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
  CHECKSUM_MISMATCH_EXIT,
  cleanupCommand,
  finishCommand,
  freeSpaceCommand,
  mkdirCommand,
  partialSizeCommand,
  relayHopCommand,
  type RelayHop,
  relayParent,
  temporaryPathFor,
  writeFromOffsetCommand,
} from './remoteCommands';
import {
  createRunCredentialResolver,
  type HostCredentials,
} from './credentials';

/** The part of the SSH core a distribution uses. */
export type DistributionSsh = Pick<
  SshConnectionPool,
  'exec' | 'execChecked' | 'uploadStream'
>;

/** A failure that another attempt will not fix (full disk, wrong checksum, refused login). */
class PermanentHostError extends Error {}

/** Bytes before the end of a partial copy that a resume sends again (see pushOnce). */
const RESUME_BACKOFF = 4 * 1024 * 1024;

const RETRYABLE = new Set([
  'HostUnreachableError',
  'SshProtocolError',
  'CommandTimeoutError',
]);

type Live = { bytes: number; rate: number };

/**
 * Pushes library files to hosts: SFTP upload to a temporary name in the
 * target directory, SHA-256 check on the host, owner, atomic rename. Hosts run
 * with a concurrency bound; each host's state is kept in the database, so a
 * distribution interrupted by a restart resumes (hosts not yet verified start
 * over) and failed hosts can be retried.
 */
export class Distributor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly live = new Map<string, Map<string, Live>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly deps: {
      store: DistributionStore;
      library: FileLibrary;
      ssh: DistributionSsh;
      /** SSH logins are taken out of the vault per run, checked against each credential's policy. */
      vault: Pick<VaultService, 'getSecret'>;
      /** Owner, system and environment of host entities as the catalog holds them now. */
      hostTargets(refs: string[]): Promise<Map<string, SecretTarget>>;
      /** A stored version's bytes as a stream (local file or S3 object), opened per transfer. */
      openStored(storageKey: string, start?: number): Promise<Readable>;
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
    },
  ) {}

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
        const verified = await this.relayChain(
          d,
          pending,
          file.storageKey,
          credentials,
          live,
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
        const bytes = await this.pushOnce(
          d,
          h,
          storageKey,
          credentials,
          live,
          update,
          // an earlier attempt (or a run cut short) may have left a partial copy
          h.attempts + attempt > 1,
        );
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
          finishedAt: new Date().toISOString(),
        });
        return;
      }
    }
  }

  /**
   * One attempt on one host; resolves with the bytes written. With `resume`,
   * what an interrupted attempt left under the temporary name is kept and
   * only the rest is sent (the whole-file SHA-256 check still decides).
   */
  private async pushOnce(
    d: DistributionWithHosts,
    h: DistributionHost,
    storageKey: string,
    credentials: HostCredentials,
    live: Map<string, Live>,
    update: (p: HostProgress) => Promise<void>,
    resume: boolean,
  ): Promise<number> {
    const { ssh } = this.deps;
    const signal = this.shutdown.signal;
    const timeoutMs = this.deps.commandTimeoutMs;
    const target: SshTarget = {
      host: h.address,
      port: h.port,
      credentials: await credentials(h),
    };
    const tmpPath = temporaryPathFor(d.targetPath, d.id, h.position);
    await ssh.execChecked(target, mkdirCommand(d.targetPath), {
      timeoutMs,
      signal,
    });
    let offset = 0;
    if (resume) {
      const r = await ssh.execChecked(target, partialSizeCommand(tmpPath), {
        timeoutMs,
        signal,
      });
      const kept = Number.parseInt(r.stdout.trim(), 10) || 0;
      // SFTP keeps several writes in flight: the end of a cut transfer may
      // have holes, so the last RESUME_BACKOFF bytes are written again.
      offset = kept > d.size ? 0 : Math.max(0, kept - RESUME_BACKOFF);
    }

    const progress: Live = { bytes: offset, rate: 0 };
    live.set(h.host, progress);
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
      if (offset > 0) {
        // SFTP (as remote-node offers it) only creates or overwrites; write at the offset with dd.
        const r = await ssh.exec(
          target,
          writeFromOffsetCommand(tmpPath, offset),
          {
            stdin: source,
            signal,
            maxOutputBytes: 64 * 1024,
          },
        );
        if (r.exitCode !== 0) {
          const e = new Error(
            `Writing ${tmpPath} from byte ${offset} failed (exit ${
              r.exitCode
            }): ${r.stderr.trim()}`,
          );
          e.name = 'SftpError';
          throw e;
        }
      } else {
        await ssh.uploadStream(target, source, tmpPath, {
          mode: d.fileMode,
          signal,
        });
      }
    } catch (e) {
      file.destroy();
      source.destroy();
      // Stopping: keep what arrived; the next start resumes from there.
      if (signal.aborted) throw e;
      const reason = await this.diagnoseWriteFailure(target, d, e as Error);
      await ssh
        .exec(target, cleanupCommand(tmpPath), { timeoutMs, signal })
        .catch(() => undefined);
      throw reason;
    }
    live.delete(h.host);
    await update({
      state: 'verifying',
      bytes: progress.bytes,
      rate: progress.rate,
    });

    const r = await ssh.exec(
      target,
      finishCommand({
        tmpPath,
        targetPath: d.targetPath,
        sha256: d.sha256,
        owner: d.fileOwner,
      }),
      { timeoutMs, signal },
    );
    if (r.timedOut) {
      const e = new Error(
        `Checksum and rename timed out after ${timeoutMs} ms`,
      );
      e.name = 'CommandTimeoutError';
      throw e;
    }
    if (r.exitCode !== 0) {
      const detail = r.stderr.trim().split('\n').slice(-2).join('; ');
      if (r.exitCode === CHECKSUM_MISMATCH_EXIT && offset > 0) {
        // The kept part was not what we thought (finishCommand removed it): send it all.
        this.deps.logger.warn(
          `Distribution ${d.id}: ${h.host} resumed copy did not match, sending the whole file`,
        );
        return this.pushOnce(
          d,
          h,
          storageKey,
          credentials,
          live,
          update,
          false,
        );
      }
      throw new PermanentHostError(
        r.exitCode === CHECKSUM_MISMATCH_EXIT
          ? `SHA-256 on the host differs from the library's ${d.sha256.slice(
              0,
              12,
            )}… (${detail}); the file was not installed`
          : `Verifying and installing ${d.targetPath} failed (exit ${r.exitCode}): ${detail}`,
      );
    }
    return progress.bytes;
  }

  /**
   * Relay mode: opsdeck streams the file once, to the first host; every host
   * keeps a copy and passes the stream to the next one over TCP (socat), so
   * the source's link carries one copy however long the chain (`relay-tree`:
   * to the next two, a binary tree in heap order). Hosts need no
   * credentials of opsdeck's: opsdeck starts each hop through its own SSH
   * session. Then every host's copy is checked (SHA-256) and renamed like in
   * the direct mode; the hosts that end unverified are returned to be written
   * directly.
   */
  private async relayChain(
    d: DistributionWithHosts,
    hosts: DistributionHost[],
    storageKey: string,
    credentials: HostCredentials,
    live: Map<string, Live>,
  ): Promise<Set<string>> {
    const { ssh, store, logger } = this.deps;
    const signal = this.shutdown.signal;
    const timeoutMs = this.deps.commandTimeoutMs;
    const verified = new Set<string>();
    const prepared = (
      await fanOut(
        hosts,
        async h => {
          const target: SshTarget = {
            host: h.address,
            port: h.port,
            credentials: await credentials(h),
          };
          await ssh.execChecked(target, mkdirCommand(d.targetPath), {
            timeoutMs,
            signal,
          });
          const hop: RelayHop = {
            address: h.address,
            // a one-shot listener; a taken port fails this hop, which then gets the direct path
            port: 40000 + Math.floor(Math.random() * 20000),
            tmpPath: temporaryPathFor(d.targetPath, d.id, h.position),
          };
          return { h, target, hop };
        },
        { concurrency: d.concurrency, signal },
      )
    ).flatMap(r => (r.ok ? [r.value] : []));
    if (prepared.length < 2) return verified;

    const started = Date.now();
    const progress: Live = { bytes: 0, rate: 0 };
    for (const p of prepared) {
      live.set(p.h.host, progress);
      await store.updateHost(d.id, p.h.host, {
        state: 'transferring',
        attempts: p.h.attempts + 1,
        bytes: 0,
        rate: 0,
        error: undefined,
        startedAt: new Date(started).toISOString(),
        finishedAt: undefined,
      });
    }
    const hops = prepared.map(p => p.hop);
    const stops = prepared.map(() => new AbortController());
    const onShutdown = () => stops.forEach(c => c.abort());
    signal.addEventListener('abort', onShutdown);
    const file = await this.deps.openStored(storageKey);
    const source = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        progress.bytes += chunk.length;
        progress.rate =
          progress.bytes / Math.max((Date.now() - started) / 1000, 0.001);
        cb(null, chunk);
      },
    });
    file.once('error', e => source.destroy(e));
    file.pipe(source);

    const branching = d.strategy === 'relay-tree' ? 2 : 1;
    const ends: Promise<unknown>[] = [];
    // Listeners first (children before parents), then the head that feeds them.
    for (let k = prepared.length - 1; k >= 0; k--) {
      ends[k] = ssh
        .exec(prepared[k].target, relayHopCommand(hops, k, branching), {
          stdin: k === 0 ? source : undefined,
          signal: stops[k].signal,
          maxOutputBytes: 64 * 1024,
        })
        .catch(e => e);
    }
    // A hop whose upstream has ended gets a grace period, then is stopped
    // (its listener may never see a connection when the hop before failed).
    const timers: ReturnType<typeof setTimeout>[] = [];
    for (let k = 1; k < prepared.length; k++) {
      ends[relayParent(k, branching)].then(() =>
        timers.push(
          setTimeout(() => stops[k].abort(), this.deps.relayGraceMs ?? 30_000),
        ),
      );
    }
    await Promise.all(ends);
    timers.forEach(clearTimeout);
    signal.removeEventListener('abort', onShutdown);
    file.destroy();
    for (const p of prepared) live.delete(p.h.host);
    if (signal.aborted) return verified;

    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    await fanOut(
      prepared,
      async p => {
        await store.updateHost(d.id, p.h.host, { state: 'verifying' });
        const r = await ssh.exec(
          p.target,
          finishCommand({
            tmpPath: p.hop.tmpPath,
            targetPath: d.targetPath,
            sha256: d.sha256,
            owner: d.fileOwner,
            mode: d.fileMode,
          }),
          { timeoutMs, signal },
        );
        if (r.exitCode === 0) {
          verified.add(p.h.host);
          await store.updateHost(d.id, p.h.host, {
            state: 'verified',
            bytes: d.size,
            rate: d.size / seconds,
            finishedAt: new Date().toISOString(),
          });
        } else {
          logger.warn(
            `Distribution ${d.id}: relay copy on ${
              p.h.host
            } not verified (${r.stderr.trim()}); writing it directly`,
          );
        }
      },
      { concurrency: d.concurrency, signal },
    );
    return verified;
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
