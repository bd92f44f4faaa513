import { LoggerService } from '@backstage/backend-plugin-api';
import { JobStore } from '../database/JobStore';
import { Schedule } from '../model';
import { dueTick } from './cronTicks';

/**
 * Fires due schedule ticks. Every replica runs this loop; a tick runs on the
 * one replica whose insert of (schedule_id, tick_at) into schedule_ticks wins
 * (the primary key rejects the others), in the same transaction as the insert
 * of its run, so each tick has exactly one run, also across a crash. The loop
 * also marks runs of dead replicas (stale heartbeat) interrupted.
 */
export class ScheduleRunner {
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;

  constructor(
    private readonly deps: {
      store: JobStore;
      logger: LoggerService;
      runnerId: string;
      /**
       * Starts the run of one tick, claiming the tick in the transaction that
       * inserts the run; returns its id, or undefined when another replica
       * claimed the tick (or the schedule did not run, e.g. paused).
       */
      startRun: (
        schedule: Schedule,
        tickAt: number,
      ) => Promise<string | undefined>;
      /** A tick older than this when seen counts as missed (default 60 s). */
      graceMs?: number;
      /** Runs whose heartbeat is older than this are interrupted (default 60 s). */
      staleMs?: number;
      /** Told about runs of dead replicas marked interrupted (to audit them). */
      onInterrupted?: (runIds: string[]) => Promise<void>;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts the loop (first pass at once). */
  start(intervalMs: number) {
    const pass = () => {
      if (!this.busy) {
        this.busy = this.tick()
          .catch(e =>
            this.deps.logger.error(`Jobs schedule pass failed: ${String(e)}`),
          )
          .finally(() => {
            this.busy = undefined;
          });
      }
    };
    pass();
    this.timer = setInterval(pass, intervalMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** One pass: interrupt runs of dead replicas, then fire due ticks. */
  async tick(): Promise<void> {
    const { store, logger } = this.deps;
    const now = this.now();
    const interrupted = await store.markInterrupted({
      staleBefore: now - (this.deps.staleMs ?? 60_000),
    });
    if (interrupted.length > 0) {
      if (this.deps.onInterrupted) await this.deps.onInterrupted(interrupted);
      else
        logger.warn(`Marked ${interrupted.length} orphaned runs interrupted`);
    }
    for (const schedule of await store.listSchedules({ enabled: true })) {
      let due: { latest?: number; run?: number };
      try {
        due = dueTick({
          cron: schedule.cron,
          timeZone: schedule.timeZone,
          lastTick: Date.parse(schedule.lastTickAt),
          now,
          missedPolicy: schedule.missedPolicy,
          graceMs: this.deps.graceMs ?? 60_000,
        });
      } catch (e) {
        logger.warn(`Schedule ${schedule.id} is invalid: ${String(e)}`);
        continue;
      }
      // a tick another replica has already claimed is not worked on again
      if (
        due.run !== undefined &&
        !(await store.isTickClaimed(schedule.id, due.run))
      ) {
        try {
          await this.deps.startRun(schedule, due.run);
        } catch (e) {
          logger.warn(
            `Schedule '${schedule.name}' could not start its run: ${String(e)}`,
          );
        }
      }
      if (due.latest !== undefined) {
        await store.setLastTick(schedule.id, due.latest);
      }
    }
  }
}
