import type { LoggerService } from '@backstage/backend-plugin-api';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  ConfigSet,
  ConfigVersion,
  Release,
} from '@opsdeck/plugin-config-common';
import type { SshTarget } from '@opsdeck/plugin-remote-node';
import type { ConfigStore } from '../database/ConfigStore';
import type { FactsByHost } from '../service/hostFacts';
import type { SecretsByHost } from '../service/configSecrets';
import { maskSecrets, vaultNames } from '../render/secrets';
import { secretMarks } from '../render/secretMarks';
import {
  checkSyntax,
  compileTemplate,
  hostVariables,
  renderCommand,
  renderContext,
  renderText,
  type RenderContext,
} from '../render/render';
import { httpProbe, passes, tcpProbe, type HealthProbe } from './health';
import {
  HostAgent,
  pushPaths,
  sha256,
  type ConfigSsh,
  type PushPaths,
} from './HostAgent';
import { applyPlan } from './applyPlan';
import { validateCommandOf } from './kinds';

/** SSH targets of a release's hosts, with credentials taken out for its actor. */
export type SshTargets = (
  actor: string,
) => (host: HostTarget) => Promise<SshTarget>;

export type ReleaserOptions = {
  store: ConfigStore;
  ssh: ConfigSsh;
  sshTargets: SshTargets;
  logger: LoggerService;
  /** Limit of each command on a host (default 60 s). */
  commandTimeoutMs?: number;
  /** Health check: tries and pause between them (defaults 10 × 500 ms). */
  healthAttempts?: number;
  healthIntervalMs?: number;
};

/** What one host's push is about. */
type HostJob = {
  release: Release;
  set: ConfigSet;
  version: ConfigVersion;
  host: HostTarget;
  target: SshTarget;
  facts: FactsByHost;
  /** The host's vault secrets (credential name → password): never logged or stored. */
  secrets: ReadonlyMap<string, string>;
};

/**
 * Runs releases: per host render → upload (SFTP) → validate on the host →
 * atomic swap keeping the previous file → reload → health check, and puts
 * the previous file back and reloads again when the reload or the check
 * fails. Hosts go in batches of the release's batch size; a batch with a
 * host that did not end `done` stops the release (later hosts stay
 * untouched, marked failed). Progress is written to the store as it goes.
 * An abort (by a person, on any backend) lets the hosts already started end
 * their own step (done, or reverted: never half-swapped) and starts no
 * other host; the release then ends `aborted`.
 * A release may pause between batches (its pauseSeconds, or after the first
 * batch until confirmed): the run then ends `paused` and a later run goes on
 * from its next batch.
 */
export class Releaser {
  private readonly running = new Map<number, Promise<unknown>>();
  private readonly timeoutMs: number;

  constructor(private readonly options: ReleaserOptions) {
    this.timeoutMs = options.commandTimeoutMs ?? 60_000;
  }

  /**
   * Runs a release (from its `nextBatch`) in the background; the promise
   * settles when it ends or pauses (`paused`: it waits between two batches,
   * its state in the store; see ReleaseBatches). `hosts`: the hosts to push,
   * as resolved for this run (a host of the release missing from them is
   * failed, never pushed); `facts`: their CMDB facts; `secrets`: their vault
   * references, taken out for `actor`, the person this run is for (SSH
   * credentials are taken out for them too).
   */
  start(
    release: Release,
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    facts: FactsByHost = new Map(),
    secrets: SecretsByHost = new Map(),
    actor: string = release.createdBy,
  ): Promise<'paused' | 'ended'> {
    return this.track(
      release.id,
      secrets,
      'it',
      '',
      () => this.run(release, set, version, hosts, facts, secrets, actor),
      async () => 'ended' as const,
    );
  }

  /** Waits for every running release (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  /**
   * The reload step of a release pushed without reload (claimed `reloading`
   * by the caller), in the background: its `swapped` hosts in batches of
   * its batch size, each reloaded and health-checked, reverted (previous
   * file back, reloaded) on failure. A batch that does not fully succeed
   * stops the rest: their new files are taken back unloaded (`reverted`).
   * A host whose file changed since the push is not reloaded (`failed`).
   */
  reload(
    release: Release,
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    facts: FactsByHost,
    secrets: SecretsByHost,
    actor: string,
  ): Promise<void> {
    // the claim took this backend's lease: renewed until the reload ends
    return this.track(
      release.id,
      secrets,
      'its reload',
      ' reload',
      () => this.reloadRun(release, set, version, hosts, facts, secrets, actor),
      () => this.options.store.reloads.finish(release.id, 'failed'),
    );
  }

  /**
   * Keeps this backend's lease on a release while `work` runs (it is this
   * backend's), logs a failure with the release's secrets masked and ends it
   * with `onError`; `idle()` waits for it.
   */
  private track<T>(
    id: number,
    secrets: SecretsByHost,
    what: string,
    step: string,
    work: () => Promise<T>,
    onError: () => Promise<T>,
  ): Promise<T> {
    const all = [...secrets.values()].flatMap(m => [...m.values()]);
    const stopKeeping = this.options.store.runners.keep(id, () =>
      this.options.logger.warn(
        `Config release ${id}: another backend ended ${what} as interrupted`,
      ),
    );
    const run = work()
      .catch(async e => {
        this.options.logger.error(
          `Config release ${id}${step} stopped: ${maskSecrets(
            (e as Error).message,
            all,
          )}`,
        );
        return onError();
      })
      .finally(() => {
        stopKeeping();
        this.running.delete(id);
      });
    this.running.set(id, run);
    return run;
  }

  private async reloadRun(
    release: Release,
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    facts: FactsByHost,
    secrets: SecretsByHost,
    actor: string,
  ): Promise<void> {
    const { store } = this.options;
    const targetOf = this.options.sshTargets(actor);
    const byRef = new Map(hosts.map(h => [h.entityRef, h]));
    const waiting = release.hosts.filter(h => h.state === 'swapped');
    // one host: reload (or, after a failed batch, take its new file back)
    const one = async (
      rh: Release['hosts'][number],
      putBack: boolean,
    ): Promise<boolean> => {
      const started = await store.reloads.startHost(release.id, rh.host);
      if (!started) return false;
      const host = byRef.get(rh.host);
      const hostSecrets = secrets.get(rh.host) ?? new Map<string, string>();
      const update = (p: Parameters<ConfigStore['updateHost']>[2]) =>
        store.updateHost(release.id, rh.host, {
          ...p,
          ...(p.error
            ? { error: maskSecrets(p.error, hostSecrets.values()) }
            : {}),
        });
      try {
        if (!host) {
          throw new Error(
            'not reloaded: the set no longer selects this host (or it is no longer visible); its new file is in place, not loaded',
          );
        }
        const agent = new HostAgent(
          this.options.ssh,
          await targetOf(host),
          this.timeoutMs,
        );
        const paths = pushPaths(set.targetPath, set.stageRoot);
        if (putBack) {
          await agent.restore(paths, started.hadPrevious);
          await update({
            state: 'reverted',
            error:
              'not reloaded: an earlier batch did not succeed (previous file put back, never loaded)',
            finished: true,
          });
          return false;
        }
        const content = (await agent.readLive(paths.target)) ?? '';
        if (
          sha256(maskSecrets(content, hostSecrets.values())) !==
          rh.contentSha256
        ) {
          throw new Error(
            `not reloaded: ${set.targetPath} changed on the host since it was pushed`,
          );
        }
        const before = started.hadPrevious
          ? (await agent.readLive(paths.previous)) ?? ''
          : '';
        return await this.reloadChecked(
          { release, set, version, host, facts, secrets: hostSecrets },
          {
            update,
            ctx: renderContext(
              version.variables,
              host,
              facts.get(host.entityRef),
              hostSecrets,
            ),
            agent,
            paths,
            before,
            content,
            hadPrevious: started.hadPrevious,
          },
        );
      } catch (e) {
        await update({
          state: 'failed',
          error: (e as Error).message,
          finished: true,
        });
        return false;
      }
    };
    let ok: boolean = true;
    for (let i = 0; i < waiting.length; i += release.batchSize) {
      const batch = waiting.slice(i, i + release.batchSize);
      const putBack: boolean = !ok;
      const results: boolean[] = await Promise.all(
        batch.map(h => one(h, putBack)),
      );
      ok = ok && results.every(Boolean);
    }
    const all = release.hosts.every(h => h.state === 'swapped');
    await store.reloads.finish(release.id, ok && all ? 'done' : 'failed');
  }

  private async run(
    release: Release,
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    facts: FactsByHost,
    secrets: SecretsByHost,
    actor: string,
  ): Promise<'paused' | 'ended'> {
    const { store } = this.options;
    const targetOf = this.options.sshTargets(actor);
    const byRef = new Map(hosts.map(h => [h.entityRef, h]));
    const size = release.batchSize;
    const count = Math.ceil(release.hosts.length / size);
    let ok = true;
    // a host pushed without reload in this run or an earlier one (before a pause)
    let swapped = release.hosts.some(h => h.state === 'swapped');
    for (let b = release.nextBatch; b < count && ok; b++) {
      // aborted by a person (on any backend) since the last batch: no host starts
      if ((await store.releaseStatus(release.id)) !== 'running') break;
      const batch = release.hosts.slice(b * size, (b + 1) * size);
      const results = await Promise.all(
        batch.map(async ({ host: ref }) => {
          // the host starts only while the release runs (one statement
          // against an abort): once started it ends its own step
          if (!(await store.startHost(release.id, ref))) return 'not started';
          const host = byRef.get(ref);
          const hostSecrets = secrets.get(ref) ?? new Map();
          try {
            if (!host) {
              throw new Error(
                'not pushed: the set no longer selects this host (or it is no longer visible)',
              );
            }
            const target = await targetOf(host);
            return await this.pushHost({
              release,
              set,
              version,
              host,
              target,
              facts,
              secrets: hostSecrets,
            });
          } catch (e) {
            await store.updateHost(release.id, ref, {
              state: 'failed',
              error: maskSecrets((e as Error).message, hostSecrets.values()),
              finished: true,
            });
            return false;
          }
        }),
      );
      swapped ||= results.includes('swapped');
      ok = results.every(r => r === true || r === 'swapped');
      const pause =
        (b === 0 && release.confirmFirstBatch) || release.pauseSeconds > 0;
      if (ok && b + 1 < count && pause) {
        const paused = await store.pauseRelease(
          release.id,
          b + 1,
          b === 0 && release.confirmFirstBatch
            ? undefined
            : Date.now() + release.pauseSeconds * 1000,
        );
        // not paused: aborted while the batch ran (ended below)
        if (paused) return 'paused';
        break;
      }
    }
    await store.endPending(
      release.id,
      'failed',
      'not pushed: an earlier batch did not succeed',
    );
    // hosts wait for their reload: the release does too (a reload step
    // reloads them, or reverts them); else an aborted release ends `aborted`
    // whatever its last batch did
    if (swapped) await store.reloads.finishPushed(release.id);
    else await store.finishRelease(release.id, ok ? 'done' : 'failed');
    return 'ended';
  }

  private probeOf(
    set: ConfigSet,
    host: HostTarget,
    ctx: RenderContext,
    agent: HostAgent,
    paths: PushPaths,
  ): HealthProbe | undefined {
    const check = set.healthCheck;
    if (!check) return undefined;
    const probeTimeout = Math.min(this.timeoutMs, 5_000);
    if (check.type === 'http') {
      return httpProbe(
        {
          ...check,
          url: renderText(check.url, ctx),
          expectBody: check.expectBody
            ? renderText(check.expectBody, ctx)
            : undefined,
        },
        probeTimeout,
        host,
      );
    }
    if (check.type === 'tcp') {
      return tcpProbe(renderText(check.address, ctx), probeTimeout, host);
    }
    const command = renderCommand(check.command, ctx);
    return () => agent.command('health check', paths, command);
  }

  /** One host's push; true when it ended `done`, `swapped` when pushed without reload. */
  private async pushHost(job: HostJob): Promise<boolean | 'swapped'> {
    const { store } = this.options;
    const { release, set, version, host } = job;
    // a validator or reload may echo the offending line: errors are masked
    const update = (p: Parameters<ConfigStore['updateHost']>[2]) =>
      store.updateHost(release.id, host.entityRef, {
        ...p,
        ...(p.error
          ? { error: maskSecrets(p.error, job.secrets.values()) }
          : {}),
      });

    // started (`uploading`) by the run's claim (ConfigStore.startHost)
    // a vault reference renders as the mask unless its secret was taken out:
    // never push the mask
    const missing = vaultNames(hostVariables(version.variables, host)).filter(
      name => !job.secrets.has(name),
    );
    if (missing.length > 0) {
      throw new Error(
        `vault secret ${missing.join(', ')} was not taken out for this host`,
      );
    }
    const ctx = renderContext(
      version.variables,
      host,
      job.facts.get(host.entityRef),
      job.secrets,
    );
    const content = compileTemplate(version.template)(ctx);
    checkSyntax(set.kind, content, job.secrets.values());
    const agent = new HostAgent(this.options.ssh, job.target, this.timeoutMs);
    const live = await agent.readLive(set.targetPath);
    const paths = await agent.upload(
      pushPaths(set.targetPath, set.stageRoot),
      content,
    );
    // readable by viewers: with secrets, the hash of the file as shown (••••),
    // never a hash to guess a weak secret against
    await update({
      state: 'uploading',
      contentSha256: sha256(maskSecrets(content, job.secrets.values())),
    });

    const validate = validateCommandOf(set);
    if (validate) {
      await update({ state: 'validating' });
      try {
        await agent.validate(paths, validate);
      } catch (e) {
        await agent.discard(paths).catch(() => undefined);
        await update({
          state: 'invalid',
          error: (e as Error).message,
          finished: true,
        });
        return false;
      }
    }

    await update({ state: 'swapping' });
    const hadPrevious = await agent.swap(paths);
    if (!release.reload) {
      // pushed without reload: the new file waits, the previous one is kept
      await store.reloads.markSwapped(release.id, host.entityRef, hadPrevious);
      return 'swapped';
    }
    return this.reloadChecked(job, {
      update,
      ctx,
      agent,
      paths,
      before: live ?? '',
      content,
      hadPrevious,
    });
  }

  /**
   * Reloads (a redis change it cannot take hot: restarts) a swapped-in file
   * and health-checks it; on failure puts the
   * previous file back and reloads again. True when the host ended `done`
   * (its drift baseline recorded).
   */
  private async reloadChecked(
    job: Omit<HostJob, 'target'>,
    step: {
      update: (p: Parameters<ConfigStore['updateHost']>[2]) => Promise<void>;
      ctx: RenderContext;
      agent: HostAgent;
      paths: PushPaths;
      /** The file before the swap (redis: what CONFIG SET changes from). */
      before: string;
      content: string;
      hadPrevious: boolean;
    },
  ): Promise<boolean> {
    const { store } = this.options;
    const { release, set, version, host } = job;
    const { update, ctx, agent, paths, before, content, hadPrevious } = step;
    // reload, or (a redis change it cannot take hot) the set's restart
    const plan = applyPlan(set, before, content);
    const attempts = this.options.healthAttempts ?? 10;
    const interval = this.options.healthIntervalMs ?? 500;

    try {
      if (plan.apply) {
        await update({ state: 'reloading' });
        await agent.command(
          plan.restart ? 'restart' : 'reload',
          paths,
          plan.apply,
        );
      }
      // after a restart without a health check of the set's own: redis PING
      const probe =
        this.probeOf(set, host, ctx, agent, paths) ??
        (plan.restart
          ? () => agent.command('health check', paths, plan.restart!.ping)
          : undefined);
      if (probe) {
        await update({ state: 'checking' });
        await passes(probe, attempts, interval);
      }
    } catch (e) {
      const why = (e as Error).message;
      try {
        await agent.restore(paths, hadPrevious, plan.keepFailed);
        if (plan.revert && hadPrevious) {
          await agent.command(
            plan.restart ? 'restart after revert' : 'reload after revert',
            paths,
            plan.revert,
          );
        }
        // restarted with the previous file: it must answer again
        if (plan.restart && hadPrevious) {
          const ping = plan.restart.pingPrevious;
          await passes(
            () => agent.command('health check after revert', paths, ping),
            attempts,
            interval,
          );
        }
      } catch (revertError) {
        await update({
          state: 'failed',
          error: `${why}; reverting also failed: ${
            (revertError as Error).message
          }`,
          finished: true,
        });
        return false;
      }
      await update({
        state: 'reverted',
        error: `${why} (previous file restored and ${
          plan.restart ? 'the server restarted' : 'reloaded'
        })`,
        finished: true,
      });
      return false;
    }

    const after = (await agent.readLive(paths.target)) ?? '';
    await store.recordHostState(set.id, {
      host: host.entityRef,
      version: version.version,
      releaseId: release.id,
      liveSha256: sha256(after),
      // the drift baseline keeps the mask, never the secret
      liveContent: maskSecrets(after, job.secrets.values()),
      secretMarks: secretMarks(job.secrets.values()),
    });
    await update({ state: 'done', error: null, finished: true });
    return true;
  }
}
