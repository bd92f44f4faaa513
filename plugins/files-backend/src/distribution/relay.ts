import type { LoggerService } from '@backstage/backend-plugin-api';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import { fanOut, type SshTarget } from '@opsdeck/plugin-remote-node';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { DistributionStore } from '../database/DistributionStore';
import type {
  DistributionHost,
  DistributionWithHosts,
} from '../database/types';
import type { HostCredentials } from './credentials';
import { HostFiles, resolveTargetDirectory, temporaryPath } from './hostFiles';
import {
  type DistributionSsh,
  type InstallContext,
  ownerIds,
  setAttributes,
  temporaryNameOf,
  verifyAndInstall,
} from './install';
import {
  parseRelayKey,
  relayHopCommand,
  type RelayHop,
  relayKeyCommand,
  relayParent,
  removeKeyDirCommand,
} from './remoteCommands';

/** Bytes and rate of a host being written, as the live view shows them. */
export type Live = { bytes: number; rate: number };

export type RelayContext = {
  store: DistributionStore;
  ssh: DistributionSsh;
  logger: LoggerService;
  openStored(storageKey: string, start?: number): Promise<Readable>;
  allowedRoots(environment: string | undefined): string[];
  commandTimeoutMs: number;
  relayGraceMs?: number;
  /** How long the head may take no bytes before the chain is given up (default 30 s). */
  relayStallMs?: number;
  signal: AbortSignal;
  credentials: HostCredentials;
  live: Map<string, Live>;
};

type Prepared = {
  h: DistributionHost;
  target: SshTarget;
  hop: RelayHop;
  roots: string[];
};

/**
 * Relay mode: opsdeck streams the file once, to the first host; every host
 * keeps a copy and passes the stream on to the next one (`relay-tree`: to
 * the next two, a binary tree in heap order), so the source's link carries
 * one copy however many hosts. Hosts get no credentials of opsdeck's: opsdeck
 * starts each hop through its own SSH session, and each host-to-host hop is
 * TLS authenticated at both ends with per-transfer keys made on the hosts
 * (see relayHopCommand): only the intended peer connects, only the intended
 * peer receives. Every copy is then checked (SHA-256) and installed like in
 * direct mode. Returns the hosts verified; the others are written directly.
 */
export async function relayDistribution(
  ctx: RelayContext,
  d: DistributionWithHosts,
  hosts: DistributionHost[],
  storageKey: string,
): Promise<Set<string>> {
  const { ssh, store, logger, signal } = ctx;
  const timeoutMs = ctx.commandTimeoutMs;
  const verified = new Set<string>();
  const prepared = (
    await fanOut(hosts, h => prepareHop(ctx, d, h), {
      concurrency: d.concurrency,
      signal,
    })
  ).flatMap((r, i) => {
    if (r.ok) return [r.value];
    logger.warn(
      `Distribution ${d.id}: relay hop on ${hosts[i].host} not prepared (${
        (r.error as Error).message
      }); writing it directly`,
    );
    return [];
  });
  try {
    if (prepared.length < 2) return verified;
    const seconds = await runHops(ctx, d, prepared, storageKey);
    if (signal.aborted) return verified;

    await fanOut(
      prepared,
      async p => {
        await store.updateHost(d.id, p.h.host, { state: 'verifying' });
        try {
          await installRelayed(ctx, d, p);
        } catch (e) {
          logger.warn(
            `Distribution ${d.id}: relay copy on ${p.h.host} not verified (${
              (e as Error).message
            }); writing it directly`,
          );
          return;
        }
        verified.add(p.h.host);
        await store.updateHost(d.id, p.h.host, {
          state: 'verified',
          bytes: d.size,
          rate: d.size / seconds,
          finishedAt: new Date().toISOString(),
        });
      },
      { concurrency: d.concurrency, signal },
    );
    return verified;
  } finally {
    // the hops' private directories (keys, certificates, FIFOs)
    await fanOut(
      prepared,
      p => ssh.exec(p.target, removeKeyDirCommand(p.hop.keyDir), { timeoutMs }),
      { concurrency: d.concurrency },
    );
  }
}

/** Directory checked, temporary file made (exclusive, 0600), TLS key made: one hop ready. */
async function prepareHop(
  ctx: RelayContext,
  d: DistributionWithHosts,
  h: DistributionHost,
): Promise<Prepared> {
  const target: SshTarget = {
    host: h.address,
    port: h.port,
    credentials: await ctx.credentials(h),
  };
  const roots = ctx.allowedRoots(h.environment);
  const tmpPath = temporaryPath(
    d.targetPath,
    await temporaryNameOf(ctx.store, d, h),
  );
  const files = new HostFiles(
    await ctx.ssh.openSftp(target, { signal: ctx.signal }),
  );
  try {
    await resolveTargetDirectory(files, d.targetPath, roots);
    await files.unlink(tmpPath);
    await files.close(await files.open(tmpPath, 'wx', 0o600), tmpPath);
  } finally {
    files.end();
  }
  const name = `opsdeck-relay-${randomBytes(12).toString('hex')}`;
  const r = await ctx.ssh.execChecked(target, relayKeyCommand(name), {
    timeoutMs: ctx.commandTimeoutMs,
    signal: ctx.signal,
  });
  const key = parseRelayKey(r.stdout);
  if (!key) throw new Error('The host did not make a relay key (openssl)');
  return {
    h,
    target,
    roots,
    hop: {
      address: h.address,
      // a one-shot listener; a taken port fails this hop, which then gets the direct path
      port: 40000 + Math.floor(Math.random() * 20000),
      tmpPath,
      keyDir: key.keyDir,
      cert: key.cert,
      name,
    },
  };
}

/** Starts every hop and streams the file into the head; resolves (seconds taken) when all hops ended. */
async function runHops(
  ctx: RelayContext,
  d: DistributionWithHosts,
  prepared: Prepared[],
  storageKey: string,
): Promise<number> {
  const { ssh, store, signal, live } = ctx;
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
  const file = await ctx.openStored(storageKey);
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
        setTimeout(() => stops[k].abort(), ctx.relayGraceMs ?? 30_000),
      ),
    );
  }
  // A head that takes no bytes for a while is stuck (a peer that accepted
  // and went silent): stop it; its children follow after their grace.
  let seen = -1;
  let quietSince = Date.now();
  const stallMs = ctx.relayStallMs ?? 30_000;
  const watchdog = setInterval(() => {
    if (progress.bytes !== seen) {
      seen = progress.bytes;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= stallMs) {
      stops[0].abort();
    }
  }, Math.min(1000, stallMs / 4));
  await ends[0];
  clearInterval(watchdog);
  await Promise.all(ends);
  timers.forEach(clearTimeout);
  signal.removeEventListener('abort', onShutdown);
  file.destroy();
  for (const p of prepared) live.delete(p.h.host);
  crashPoint('files.distribution.upload');
  return Math.max((Date.now() - started) / 1000, 0.001);
}

/**
 * A relayed copy: a regular file of the right size, owner and mode set on
 * its handle, then the SHA-256 check and the rename as in direct mode. Any
 * failure removes the copy (the host is then written directly).
 */
async function installRelayed(
  ctx: RelayContext,
  d: DistributionWithHosts,
  p: Prepared,
): Promise<void> {
  const files = new HostFiles(
    await ctx.ssh.openSftp(p.target, { signal: ctx.signal }),
  );
  const install: InstallContext = {
    ssh: ctx.ssh,
    target: p.target,
    files,
    signal: ctx.signal,
    timeoutMs: ctx.commandTimeoutMs,
  };
  const tmpPath = p.hop.tmpPath;
  try {
    const st = await files.lstat(tmpPath);
    if (!st?.isFile() || st.size !== d.size) {
      throw new Error(
        st?.isFile()
          ? `the hop received ${st.size} of ${d.size} bytes`
          : 'the hop left no regular file',
      );
    }
    const ids = d.fileOwner ? await ownerIds(install, d.fileOwner) : undefined;
    const handle = await files.open(tmpPath, 'r');
    try {
      await setAttributes(files, handle, tmpPath, d.fileMode ?? 0o644, ids);
    } finally {
      await files.close(handle, tmpPath).catch(() => undefined);
    }
    crashPoint('files.distribution.chmod');
    await verifyAndInstall(install, {
      tmpPath,
      targetPath: d.targetPath,
      sha256: d.sha256,
      roots: p.roots,
    });
  } catch (e) {
    if (!ctx.signal.aborted) await files.unlink(tmpPath).catch(() => undefined);
    throw e;
  } finally {
    files.end();
  }
}
