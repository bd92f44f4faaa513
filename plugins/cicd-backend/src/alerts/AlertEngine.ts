import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BuildResult, LocatedCause } from '@opsdeck/plugin-cicd-common';
import type { AlertClaim, AlertStore, JobState } from '../database/AlertStore';
import type { AlertDelivery } from './AlertDelivery';
import { failureMessage, recoveryMessage, type AlertMessage } from './messages';

/** A completed build of one job, as the alerting sees it. */
export interface ObservedBuild {
  number: number;
  result: BuildResult;
  /** Branch (a multibranch project's leaf job, or what an intake posted). */
  branch?: string;
  url: string;
  /** The commit (revision) built, when the CI system said it. */
  commit?: string;
}

/** The entity a job belongs to and whom to tell. */
export interface AlertTarget {
  entityRef: string;
  /** The owner's full entity ref (`group:default/dev`), from spec.owner. */
  owner?: string;
  /** Where the entity's CI/CD tab is (a link in the notification). */
  link?: string;
}

/** The top located cause of a failed build and its first line. */
export interface LocatedTop {
  cause: LocatedCause;
  line?: { number: number; text: string };
}

export interface ObserveOptions {
  /**
   * `silent`: a job seen for the first time records its newest completed
   * build without alerting (the poller: history is not news). `alert`: every
   * build is news (the intake posts builds as they end).
   */
  firstNotice: 'silent' | 'alert';
  /** Locates the top cause of a failed build (undefined: nothing matched). */
  locate(build: ObservedBuild): Promise<LocatedTop | undefined>;
}

const FAILED: BuildResult[] = ['FAILURE', 'UNSTABLE'];

/**
 * Turns the completed builds of a job into alerts to the owner of its
 * entity: a failure on a main branch with its located top cause, one
 * recovery when a main branch succeeds after failing. Whether an alert is
 * sent is decided by the gate (AlertStore.claim, one atomic insert per job
 * and build), so replicas and restarts send each alert once.
 *
 * Flaky causes: a recovery row keeps the cause of the failure it follows
 * and whether it passed on the commit (revision) that had failed; only
 * those (`flaky`) are counted by AlertStore.flaky: the build failed and
 * passed without a change. Only main branches are counted, as only their
 * failures are located by the alerting.
 */
export class AlertEngine {
  private readonly mainBranches: Set<string>;

  constructor(
    private readonly options: {
      store: AlertStore;
      /** Sends through the outbox (retried, given up after N attempts). */
      delivery: AlertDelivery;
      /** Branch names that alert (default main, master). */
      mainBranches: string[];
      logger: LoggerService;
    },
  ) {
    this.mainBranches = new Set(options.mainBranches);
  }

  /** A build without a branch is a single-branch job: its job is the main line. */
  isMain(branch: string | undefined): boolean {
    return branch === undefined || this.mainBranches.has(branch);
  }

  /** The newest completed build the alerting has seen of a job (undefined: never seen). */
  async lastSeen(jobKey: string): Promise<number | undefined> {
    return (await this.options.store.state(jobKey))?.lastNumber;
  }

  /**
   * Sees the builds of one job (any order, running ones ignored) and sends
   * what is new. `job` is shown to people; `jobKey` identifies the job in
   * the store.
   */
  async observe(
    target: AlertTarget,
    jobKey: string,
    job: string,
    builds: ObservedBuild[],
    options: ObserveOptions,
  ): Promise<void> {
    const { store } = this.options;
    const done = builds
      .filter(b => b.result !== 'RUNNING')
      .sort((a, b) => a.number - b.number);
    if (!done.length) return;
    let state = await store.state(jobKey);
    if (!state) {
      if (options.firstNotice === 'silent') {
        const newest = done[done.length - 1];
        await store.firstNotice({
          jobKey,
          lastNumber: newest.number,
          failing: FAILED.includes(newest.result),
        });
        return;
      }
      state = { jobKey, lastNumber: 0, failing: false };
    }
    for (const build of done) {
      if (build.number <= state.lastNumber) continue;
      state = await this.step(target, state, job, build, options);
      await store.advance(state);
    }
  }

  private async step(
    target: AlertTarget,
    state: JobState,
    job: string,
    build: ObservedBuild,
    options: ObserveOptions,
  ): Promise<JobState> {
    const { jobKey } = state;
    const main = this.isMain(build.branch);
    if (FAILED.includes(build.result)) {
      if (!main) {
        return {
          jobKey,
          lastNumber: build.number,
          failing: true,
          lastCommit: build.commit,
        };
      }
      const top = await options.locate(build);
      await this.claimAndSend(
        target,
        {
          jobKey,
          number: build.number,
          kind: 'failure',
          entityRef: target.entityRef,
          cause: top?.cause.id,
          commit: build.commit,
        },
        () => failureMessage(target, job, build, top),
      );
      return {
        jobKey,
        lastNumber: build.number,
        failing: true,
        lastCause: top?.cause.id,
        lastCommit: build.commit,
      };
    }
    if (build.result === 'SUCCESS') {
      if (state.failing && main) {
        await this.claimAndSend(
          target,
          {
            jobKey,
            number: build.number,
            kind: 'recovery',
            entityRef: target.entityRef,
            cause: state.lastCause,
            commit: build.commit,
            // failed and passed on the same commit: nothing changed in between
            flaky: Boolean(
              build.commit &&
                build.commit.toLowerCase() === state.lastCommit?.toLowerCase(),
            ),
          },
          () => recoveryMessage(target, job, build),
        );
      }
      return { jobKey, lastNumber: build.number, failing: false };
    }
    // aborted / not built: says nothing about the code; the state stays
    return { ...state, lastNumber: build.number };
  }

  /**
   * The gate and the outbox in one transaction: the caller whose gate row
   * is new writes the alert's outbox row with it (a crash between the two
   * cannot lose the alert), then tries to send it at once; a send that
   * fails stays in the outbox for the delivery task.
   */
  private async claimAndSend(
    target: AlertTarget,
    claim: AlertClaim,
    message: () => AlertMessage,
  ) {
    const { store, delivery, logger } = this.options;
    const { jobKey, number } = claim;
    let id: number | undefined;
    const owner = target.owner;
    const claimed = await store.claim(
      claim,
      Date.now(),
      owner
        ? async trx => {
            id = await delivery.write(
              {
                jobKey,
                number,
                owner,
                payload: {
                  ...message(),
                  topic: `opsdeck.cicd.${jobKey}`,
                  scope: `cicd:${jobKey}#${number}`,
                },
              },
              trx,
            );
          }
        : undefined,
    );
    if (!claimed) return;
    if (!owner) {
      logger.warn(
        `CI/CD alert for ${jobKey} #${number} not sent: ${target.entityRef} has no owner`,
      );
      return;
    }
    if (id !== undefined) await delivery.sendNow(id);
  }
}
