import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  NotificationRecipients,
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { ChangeStatus, SqlChange } from '../database/SqlStore';

const OUTCOME: Partial<Record<ChangeStatus, string>> = {
  approved: 'approved',
  rejected: 'rejected',
  finished: 'executed',
  failed: 'failed',
  rolled_back: 'rolled back',
  rollback_failed: 'could not be rolled back',
};

/**
 * Backstage notifications for SQL changes: the approver group of the level
 * that has to act next, and the submitter when their change is decided, run
 * or rolled back.
 */
export class ChangeNotifier {
  constructor(
    private readonly deps: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  /** Asks the group of approval level `level` (0-based) to decide. */
  async approvers(change: SqlChange, level: number) {
    const group = change.approverGroups[level];
    if (!group) return;
    await this.send(
      { type: 'entity', entityRef: group, excludeEntityRef: change.submitter },
      {
        title: `SQL change to approve: ${change.title}`,
        description: `${change.submitter} submitted ${
          change.review.statements.length
        } statement(s) for ${change.instanceRef}${
          change.approverGroups.length > 1
            ? ` (approval level ${level + 1} of ${
                change.approverGroups.length
              })`
            : ''
        }.`,
        link: `/sql?change=${change.id}`,
        severity: 'high',
        topic: `sql-change-${change.id}`,
      },
    );
  }

  /** Tells the submitter what happened to their change. */
  async submitter(change: SqlChange, status: ChangeStatus, why?: string) {
    await this.send(
      { type: 'entity', entityRef: change.submitter },
      {
        title: `SQL change ${OUTCOME[status] ?? status}: ${change.title}`,
        description: why || `${change.instanceRef}: ${status}`,
        link: `/sql?change=${change.id}`,
        severity: ['failed', 'rollback_failed', 'rejected'].includes(status)
          ? 'high'
          : 'normal',
        topic: `sql-change-${change.id}`,
      },
    );
  }

  // A notification that cannot be sent must not undo the state change.
  private async send(
    recipients: NotificationRecipients,
    payload: NotificationSendOptions['payload'],
  ) {
    if (!this.deps.notifications) return;
    try {
      await this.deps.notifications.send({ recipients, payload });
    } catch (error) {
      this.deps.logger.warn(
        `Could not send the notification "${payload.title}": ${error}`,
      );
    }
  }
}
