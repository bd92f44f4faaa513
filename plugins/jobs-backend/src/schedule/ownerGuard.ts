import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { JobStore } from '../database/JobStore';
import { Schedule, TargetHost } from '../model';
import { HostAccess } from '../service/HostAccess';

/**
 * At every tick, before a schedule runs as its owner (the user who last
 * approved its hosts), asks the permission policy whether that user may
 * still run on those hosts. When not (a role or group is gone, the user left
 * the catalog, a host became prod), the schedule pauses itself: it is
 * switched off with the reason, the owner (and the creator) get a
 * notification and an audit event records it. Only the replica whose update
 * paused it reports, so replicas racing at a tick report once.
 */
export class ScheduleOwnerGuard {
  constructor(
    private readonly deps: {
      store: JobStore;
      hostAccess: HostAccess;
      auditor: AuditorService;
      logger: LoggerService;
      notifications?: NotificationService;
      baseUrl?: string;
    },
  ) {}

  /** True when the schedule may run on `hosts` now; otherwise pauses it. */
  async mayRun(schedule: Schedule, hosts: TargetHost[]): Promise<boolean> {
    const owner = schedule.approvedBy ?? schedule.createdBy;
    const reason = await this.deps.hostAccess.ownerRefusal(owner, hosts);
    if (!reason) return true;
    const paused = await this.deps.store.pauseSchedule(schedule.id, reason);
    if (!paused) return false; // another replica paused it
    this.deps.logger.warn(`Schedule '${schedule.name}' paused: ${reason}`);
    const event = await this.deps.auditor.createEvent({
      eventId: 'job-schedule-paused',
      severityLevel: 'high',
      meta: {
        scheduleId: schedule.id,
        schedule: schedule.name,
        owner,
        target: `job-schedule:${schedule.id}`,
        reason,
      },
    });
    await event.success();
    const recipients = [...new Set([owner, schedule.createdBy])].filter(r =>
      r.startsWith('user:'),
    );
    if (this.deps.notifications && recipients.length > 0) {
      await this.deps.notifications
        .send({
          recipients: { type: 'entity', entityRef: recipients },
          payload: {
            title: `Schedule ${schedule.name} paused`,
            description: `${reason}. Someone allowed on its hosts can edit and re-enable it.`,
            link: `${this.deps.baseUrl ?? ''}/jobs`,
            severity: 'high',
            topic: 'jobs',
          },
        })
        .catch(e =>
          this.deps.logger.warn(
            `Could not notify about paused schedule ${schedule.id}: ${e}`,
          ),
        );
    }
    return false;
  }
}
