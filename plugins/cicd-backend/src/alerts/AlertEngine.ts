import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BuildResult, LocatedCause } from '@opsdeck/plugin-cicd-common';
import type { AlertClaim, AlertStore, JobState } from '../database/AlertStore';
import type { Knex } from '../database/migrations';
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
  /** When it started (epoch ms): a running build holds back newer ones for a while. */
  timestamp?: number;
}

/**
 * How long a running build holds back the alerts of newer builds of its job
 * that ended before it (so its own end is not skipped); a build running
 * longer (stuck) no longer does.
 */
export const HOLD_RUNNING_MS = 24 * 3_600_000;

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
  /**
   * The Jenkins instance of the job (the poller): its alert channels
   * (`instances[].alertChannels`) instead of `alerts.channels`.
   */
  instance?: string;
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
      /**
       * Monitoring's alert channels an alert also goes to, by the job's
       * Jenkins instance (none: the intake); none: notifications only.
       */
      channelsFor?: (instance: string | undefined) => string[];
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
    const now = Date.now();
    // A build still running holds back the newer builds that ended before
    // it: the cursor (the last build seen) must not pass it, or its end
    // would be skipped (two builds of a job running at once, the newer one
    // ending first). A build running longer than HOLD_RUNNING_MS is taken
    // as stuck and holds nothing.
    const holding = builds
      .filter(
        b =>
          b.result === 'RUNNING' &&
          (b.timestamp === undefined || now - b.timestamp < HOLD_RUNNING_MS),
      )
      .map(b => b.number);
    const limit = holding.length ? Math.min(...holding) : Infinity;
    const done = builds
      .filter(b => b.result !== 'RUNNING' && b.number < limit)
      .sort((a, b) => a.number - b.number);
    if (!done.length) return;
    if (!(await store.state(jobKey))) {
      if (options.firstNotice === 'silent') {
        const newest = done[done.length - 1];
        await store.firstNotice({
          jobKey,
          lastNumber: newest.number,
          failing: FAILED.includes(newest.result),
        });
        return;
      }
      // every build is news: start from nothing (once, whoever is first)
      await store.firstNotice({ jobKey, lastNumber: 0, failing: false });
    }
    for (const build of done)
      await this.see(target, jobKey, job, build, options);
  }

  /**
   * Moves the job's state over one build: decides on the state as stored,
   * moves it with one conditional statement together with the alert it
   * decided, and decides again on the new state when another observer moved
   * it first (a build it saw, ending close to this one).
   */
  private async see(
    target: AlertTarget,
    jobKey: string,
    job: string,
    build: ObservedBuild,
    options: ObserveOptions,
  ): Promise<void> {
    const { store } = this.options;
    let located: { top: LocatedTop | undefined } | undefined;
    const locate = async () => {
      located ??= { top: await options.locate(build) };
      return located.top;
    };
    for (;;) {
      const state = (await store.state(jobKey)) ?? {
        jobKey,
        lastNumber: 0,
        failing: false,
      };
      if (build.number <= state.lastNumber) {
        // seen, or (every build is news: the intake) a build posted after a
        // newer one was recorded: its failure still alerts, once (the
        // gate), and the state stays with the newer build
        if (
          options.firstNotice === 'alert' &&
          FAILED.includes(build.result) &&
          this.isMain(build.branch)
        ) {
          const late = await this.decide(target, state, job, build, locate);
          await this.moveAndSend(target, undefined, late, options);
        }
        return;
      }
      const step = await this.decide(target, state, job, build, locate);
      const { moved } = await this.moveAndSend(target, state, step, options);
      if (moved) return;
    }
  }

  /** What a build does to a job's state, and the alert it sends (none). */
  private async decide(
    target: AlertTarget,
    state: JobState,
    job: string,
    build: ObservedBuild,
    locate: () => Promise<LocatedTop | undefined>,
  ): Promise<{
    next: JobState;
    alert?: { claim: AlertClaim; message: () => AlertMessage };
  }> {
    const { jobKey } = state;
    const main = this.isMain(build.branch);
    if (FAILED.includes(build.result)) {
      if (!main) {
        return {
          next: {
            jobKey,
            lastNumber: build.number,
            failing: true,
            lastCommit: build.commit,
          },
        };
      }
      const top = await locate();
      return {
        next: {
          jobKey,
          lastNumber: build.number,
          failing: true,
          lastCause: top?.cause.id,
          lastCommit: build.commit,
        },
        alert: {
          claim: {
            jobKey,
            number: build.number,
            kind: 'failure',
            entityRef: target.entityRef,
            cause: top?.cause.id,
            commit: build.commit,
          },
          message: () => failureMessage(target, job, build, top),
        },
      };
    }
    if (build.result === 'SUCCESS') {
      const next = { jobKey, lastNumber: build.number, failing: false };
      if (!state.failing || !main) return { next };
      return {
        next,
        alert: {
          claim: {
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
          message: () => recoveryMessage(target, job, build),
        },
      };
    }
    // aborted / not built: says nothing about the code; the state stays
    return { next: { ...state, lastNumber: build.number } };
  }

  /**
   * The state's move, the gate and the outbox in one transaction
   * (AlertStore.transition): the caller that moves the state from the one it
   * decided on, and whose gate row is new, writes the alert's outbox row
   * with them (a crash in between cannot lose the alert), then tries to
   * send it at once; a send that fails stays in the outbox for the delivery
   * task.
   */
  private async moveAndSend(
    target: AlertTarget,
    /** The state decided on; undefined: alert only, the state stays. */
    state: JobState | undefined,
    step: {
      next: JobState;
      alert?: { claim: AlertClaim; message: () => AlertMessage };
    },
    options: Pick<ObserveOptions, 'instance'>,
  ): Promise<{ moved: boolean }> {
    const { store, delivery, logger, channelsFor } = this.options;
    const channels = channelsFor?.(options.instance) ?? [];
    const { alert } = step;
    const owner = target.owner;
    let id: number | undefined;
    const gate = alert && {
      claim: alert.claim,
      andThen: owner
        ? async (trx: Knex) => {
            const { jobKey, number } = alert.claim;
            id = await delivery.write(
              {
                jobKey,
                number,
                owner,
                payload: {
                  ...alert.message(),
                  topic: `opsdeck.cicd.${jobKey}`,
                  scope: `cicd:${jobKey}#${number}`,
                },
                ...(channels.length ? { channels } : {}),
              },
              trx,
            );
          }
        : undefined,
    };
    const { moved, claimed } = state
      ? await store.transition(state.lastNumber, step.next, gate)
      : {
          moved: true,
          claimed: gate
            ? await store.claim(gate.claim, Date.now(), gate.andThen)
            : false,
        };
    if (!moved || !claimed || !alert) return { moved };
    if (!owner) {
      logger.warn(
        `CI/CD alert for ${alert.claim.jobKey} #${alert.claim.number} not sent: ${target.entityRef} has no owner`,
      );
      return { moved };
    }
    if (id !== undefined) await delivery.sendNow(id);
    return { moved };
  }
}
