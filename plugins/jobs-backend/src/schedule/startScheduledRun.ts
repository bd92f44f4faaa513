import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { audited } from '@opsdeck/plugin-opsdeck-node';
import { JobStore } from '../database/JobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { HostSelector, Schedule, TargetHost } from '../model';
import { ScheduleOwnerGuard } from './ownerGuard';

/** Why a host of a scheduled run did not run. */
export const NOT_APPROVED_REASON =
  'not approved for this schedule; edit the schedule to approve';

/**
 * Starts the run of one schedule tick. The owner's right to run on the
 * hosts is checked again (the schedule pauses itself when it is gone). The
 * selector is resolved again (with the plugin's own credentials, there being
 * no user at tick time), but only hosts in the schedule's approved set run: the set that the approving user
 * was authorised for, host by host, when they last edited the schedule.
 * Any other host the selector now matches is recorded in the run as skipped
 * and audited, so nobody gains hosts by adding them to a scheduled system.
 */
export async function startScheduledRun(options: {
  schedule: Schedule;
  tickAt: number;
  store: JobStore;
  executor: RunExecutor;
  resolve: (selector: HostSelector) => Promise<TargetHost[]>;
  auditor: AuditorService;
  logger: LoggerService;
  /** Checks, as the owner, the right to run on the hosts (pauses if gone). */
  guard?: ScheduleOwnerGuard;
}): Promise<string | undefined> {
  const { schedule, store, executor, auditor, logger } = options;
  const job = await store.getJob(schedule.jobId);
  if (!job) throw new Error(`Job ${schedule.jobId} is gone`);
  const resolved = await options.resolve(schedule.selector);
  const approved = new Set(schedule.approvedHosts);
  const hosts = resolved.filter(h => approved.has(h.entityRef));
  const unapproved = resolved.filter(h => !approved.has(h.entityRef));
  // the owner's rights now, not when they last edited the schedule
  if (options.guard && !(await options.guard.mayRun(schedule, hosts))) {
    return undefined;
  }
  logger.info(
    `Schedule '${schedule.name}' tick ${new Date(
      options.tickAt,
    ).toISOString()}: ${hosts.length} hosts, ${unapproved.length} not approved`,
  );
  // the schedule acts as its owner, "via schedule"
  const owner = schedule.approvedBy ?? schedule.createdBy;
  const via = `schedule:${schedule.id}`;
  const runEvent = (runId?: string) => ({
    eventId: 'job-run',
    severityLevel: 'high' as const,
    actor: owner,
    via,
    target: `job:${job.id}`,
    meta: { jobId: job.id, name: job.name, scheduleId: schedule.id },
    successMeta: () => ({ runId, hosts: hosts.map(h => h.entityRef) }),
  });
  let run: Awaited<ReturnType<RunExecutor['start']>>;
  try {
    run = await executor.start(
      {
        job,
        hosts,
        skipped: unapproved.map(host => ({
          host,
          reason: NOT_APPROVED_REASON,
        })),
        selector: schedule.selector,
        params: schedule.params,
        options: schedule.options,
        trigger: 'schedule',
        triggeredBy: owner,
        scheduleId: schedule.id,
      },
      { scheduleId: schedule.id, tickAt: options.tickAt },
    );
  } catch (error) {
    // a start that failed is on the audit log as the owner's, then rethrown
    await audited(auditor, runEvent(), () => Promise.reject(error));
    throw error;
  }
  if (!run) return undefined; // another replica claimed the tick: it audits
  const started = run;
  await audited(auditor, runEvent(started.id), async () => started);
  if (unapproved.length > 0) {
    const event = await auditor.createEvent({
      eventId: 'job-schedule-hosts-skipped',
      severityLevel: 'medium',
      meta: {
        actor: owner,
        via,
        scheduleId: schedule.id,
        schedule: schedule.name,
        runId: run.id,
        approvedBy: schedule.approvedBy,
        hosts: unapproved.map(h => h.entityRef),
        reason: NOT_APPROVED_REASON,
      },
    });
    // the audit records a refusal: these hosts were kept from running
    await event.fail({
      error: new Error(
        `${unapproved.length} hosts ${NOT_APPROVED_REASON}: ${unapproved
          .map(h => h.name)
          .join(', ')}`,
      ),
    });
  }
  return run.id;
}
