import { ConflictError, NotFoundError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  ConfigSet,
  ConfigVersion,
  Release,
} from '@opsdeck/plugin-config-common';
import { ApprovalRequiredError } from '@opsdeck/plugin-tickets-node';
import { sha256 } from '../release/HostAgent';
import { takeSecrets, type SecretsByHost } from './configSecrets';
import type { FactsByHost } from './hostFacts';
import type { Caller, ConfigServiceOptions } from './serviceTypes';
import type { ConfigService } from './ConfigService';
import { onHosts } from './onHosts';

/** One run of a release's batches: what it pushes, to which hosts, for whom. */
export type BatchRun = {
  release: Release;
  set: ConfigSet;
  version: ConfigVersion;
  hosts: HostTarget[];
  facts: FactsByHost;
  secrets: SecretsByHost;
};

/**
 * The batches of a release and the pauses between them. A paused release
 * is continued (by a person, or by the end of a timed pause) only after the
 * checks of a push, made again from the set and the catalog as they are
 * then: the set's on-host definition must be the one the release was
 * checked (and approved) against, the remaining hosts are resolved again
 * (a host no longer selected is not pushed) and a prod host among them
 * needs config.push.prod of the person continuing, or the release's own
 * approval and its requester. The claim is one atomic statement, so two
 * continues (people, timer, backends) never both run a batch; the state is
 * in the database, so a continue works after a restart, and a restarted
 * backend goes on with timed pauses when they end ({@link resumeTimed}).
 */
export class ReleaseBatches {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(
    private readonly service: ConfigService,
    private readonly options: ConfigServiceOptions,
  ) {}

  /** Waits `ms` (false when the backend stops meanwhile: the pause stays in the database). */
  private wait(ms: number): Promise<boolean> {
    return new Promise(resolve => {
      if (this.stopped) {
        resolve(false);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(!this.stopped);
      }, Math.max(0, ms));
      // a pause never holds the process up
      timer.unref?.();
      this.timers.add(timer);
    });
  }

  /** Shutdown: no timed pause goes on from this backend (another, or the next start, does). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * After a (re)start: each timed pause goes on when it ends (at once if it
   * ended while no backend ran), as a continue by the person the batches ran
   * for, re-checked as any continue. Without that person's credentials the
   * catalog is read with the plugin's (only hosts of the release, which that
   * person saw at the push, are pushed) and config.push.prod is not assumed:
   * a remaining prod host needs the release's own approval, else the release
   * stays paused for a person (logged).
   */
  async resumeTimed(
    credentials: () => Promise<Caller['credentials']>,
  ): Promise<void> {
    for (const pause of await this.options.store.timedPauses()) {
      void (async () => {
        if (!(await this.wait(pause.resumeAt - Date.now()))) return;
        const checks = await this.options.store.releaseChecks(pause.id);
        if (!checks) return;
        const caller: Caller = {
          ref: checks.drivenBy,
          credentials: await credentials(),
        };
        await this.goOn(pause.id, caller, pause.nextBatch);
      })().catch(e =>
        this.options.logger?.warn(
          `Config release ${
            pause.id
          } did not go on by itself after its pause: ${(e as Error).message}`,
        ),
      );
    }
  }

  /** A timed pause's end: the next batches, or (refused now) a log line; a person decides. */
  private async goOn(id: number, caller: Caller, atBatch: number) {
    let run: BatchRun;
    try {
      // only the pause it waited for: a person may have continued meanwhile
      run = await this.prepare(id, caller, atBatch);
    } catch (e) {
      // continued or aborted by a person meanwhile, or refused now: a person decides
      this.options.logger?.warn(
        `Config release ${id} did not go on by itself after its pause: ${
          (e as Error).message
        }`,
      );
      return;
    }
    await this.drive(run, caller);
  }

  /** Runs a release's batches; a timed pause waits here, then goes on as a continue by `caller`. */
  async drive(run: BatchRun, caller: Caller): Promise<void> {
    const { releaser, store } = this.options;
    const { release, set, version, hosts, facts, secrets } = run;
    const outcome = await releaser.start(
      release,
      set,
      version,
      hosts,
      facts,
      secrets,
      caller.ref,
    );
    if (outcome !== 'paused') return;
    const paused = await store.getRelease(release.id);
    if (paused?.status !== 'paused' || !paused.resumeAt) return;
    if (!(await this.wait(Date.parse(paused.resumeAt) - Date.now()))) return;
    await this.goOn(paused.id, caller, paused.nextBatch);
  }

  /** The checks of a continue, then the claim; the run to go on with. */
  private async prepare(
    id: number,
    caller: Caller,
    atBatch?: number,
  ): Promise<BatchRun> {
    const { store } = this.options;
    const release = await this.paused(id);
    if (atBatch !== undefined && release.nextBatch !== atBatch) {
      throw coded(
        new ConflictError(`Release ${id} was continued already`),
        'config-release-moved',
        { release: id },
      );
    }
    const set = await this.service.getSet(release.setId);
    const checks = await store.releaseChecks(id);
    if (checks?.definitionSha256 !== sha256(onHosts(set))) {
      throw new ConflictError(
        `The hosts, file or commands of ${set.name} changed since release ${id} started: abort it and push again`,
      );
    }
    const version = await this.service.getVersion(set.id, release.version);
    const remaining = new Set(
      release.hosts
        .slice(release.nextBatch * release.batchSize)
        .map(h => h.host),
    );
    // resolved now, as the catalog is now, with the continuing person's sight
    const hosts = (await this.service.hostsOf(set, caller)).filter(h =>
      remaining.has(h.entityRef),
    );
    const prod = hosts.filter(h => h.environment === 'prod');
    const approvedFor =
      checks.approvalTicket !== undefined && caller.ref === release.createdBy;
    if (prod.length > 0 && !caller.mayPushProd && !approvedFor) {
      throw new ApprovalRequiredError(
        `Continuing release ${id} to prod hosts (${[
          ...new Set(prod.map(h => h.name)),
        ].join(
          ', ',
        )}) needs opsdeck.config.push.prod (or the release's approval, continued by its requester)`,
      );
    }
    const facts = await this.service.factsFor(set, version, hosts, caller);
    const secrets = await takeSecrets(
      this.options.vault,
      set,
      version,
      hosts,
      caller.ref,
    );
    if (!(await store.claimPaused(id, release.nextBatch, caller.ref))) {
      throw coded(
        new ConflictError(`Release ${id} was continued or aborted already`),
        'config-release-moved',
        { release: id },
      );
    }
    return {
      release: { ...release, status: 'running', resumeAt: undefined },
      set,
      version,
      hosts,
      facts,
      secrets,
    };
  }

  private async paused(id: number): Promise<Release> {
    const release = await this.options.store.getRelease(id);
    if (!release) throw new NotFoundError(`No release ${id}`);
    if (release.status !== 'paused') {
      throw coded(
        new ConflictError(`Release ${id} is ${release.status}, not paused`),
        'config-release-not-paused',
        { release: id, status: release.status },
      );
    }
    return release;
  }

  /** Goes on with a paused release's next batch, as `caller`. */
  async continue(
    id: number,
    caller: Caller,
  ): Promise<{ release: Release; done: Promise<void> }> {
    const run = await this.prepare(id, caller);
    const done = this.drive(run, caller);
    return { release: (await this.options.store.getRelease(id))!, done };
  }

  /**
   * Aborts a running or paused release (one statement against a continue,
   * a timed pause's end or the release's own end): hosts not yet started
   * are never pushed; hosts mid-push end their own step (done, or reverted)
   * and the release ends `aborted`.
   */
  async abort(id: number, caller: Caller): Promise<Release> {
    const release = await this.options.store.getRelease(id);
    if (!release) throw new NotFoundError(`No release ${id}`);
    if (!(await this.options.store.abortRelease(id, caller.ref))) {
      const now = await this.options.store.releaseStatus(id);
      throw coded(
        new ConflictError(`Release ${id} is ${now}: it cannot be aborted`),
        'config-release-not-paused',
        { release: id, status: String(now) },
      );
    }
    return (await this.options.store.getRelease(id))!;
  }
}
