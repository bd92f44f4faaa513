import { ConflictError, NotFoundError } from '@backstage/errors';
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

const sleep = (ms: number) =>
  new Promise<void>(resolve => {
    // a pause never holds the process up: after a restart a person continues
    setTimeout(resolve, Math.max(0, ms)).unref?.();
  });

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
 * in the database, so a continue works after a restart.
 */
export class ReleaseBatches {
  constructor(
    private readonly service: ConfigService,
    private readonly options: ConfigServiceOptions,
  ) {}

  /** Runs a release's batches; a timed pause waits here, then goes on as a continue by `caller`. */
  async drive(run: BatchRun, caller: Caller): Promise<void> {
    const { releaser, store } = this.options;
    let current: BatchRun | undefined = run;
    while (current) {
      const { release, set, version, hosts, facts, secrets } = current;
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
      await sleep(Date.parse(paused.resumeAt) - Date.now());
      try {
        // only the pause it waited for: a person may have continued meanwhile
        current = await this.prepare(paused.id, caller, paused.nextBatch);
      } catch (e) {
        // continued or aborted by a person meanwhile, or refused now: a person decides
        this.options.logger?.warn(
          `Config release ${
            paused.id
          } did not go on by itself after its pause: ${(e as Error).message}`,
        );
        return;
      }
    }
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
      throw new ConflictError(`Release ${id} was continued already`);
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
    if (!(await store.claimPaused(id, release.nextBatch))) {
      throw new ConflictError(`Release ${id} was continued or aborted already`);
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
      throw new ConflictError(`Release ${id} is ${release.status}, not paused`);
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

  /** Stops a paused release: its later hosts are never pushed. */
  async abort(id: number, caller: Caller): Promise<Release> {
    await this.paused(id);
    if (!(await this.options.store.abortPaused(id, caller.ref))) {
      throw new ConflictError(`Release ${id} was continued or aborted already`);
    }
    return (await this.options.store.getRelease(id))!;
  }
}
