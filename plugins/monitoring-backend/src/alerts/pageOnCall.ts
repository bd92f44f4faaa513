import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import type { RenderedAlert } from '../channels/render';

/** The people on call for a catalog group at an instant (its rotations, overrides first). */
export type OnCallFor = (group: string, at: Date) => Promise<string[]>;

/**
 * Pages the people on call for `groups` with ONE Backstage notification
 * addressed to them (users, not groups), beside the groups' channels: a
 * person, not only a group, learns of the alert. Its scope is the alert
 * state's and the step's, so each page is a notification of its own.
 * Never throws: a failure is logged (the channels' deliveries stand).
 * Returns the people paged.
 */
export async function pageOnCall(options: {
  onCallFor?: OnCallFor;
  notifications?: NotificationService;
  logger: LoggerService;
  event: AlertEvent;
  message: RenderedAlert;
  groups: string[];
  at: Date;
  step?: number;
  link?: string;
}): Promise<string[]> {
  const { onCallFor, notifications, logger, event, message } = options;
  if (!onCallFor || options.groups.length === 0) return [];
  try {
    const users = [
      ...new Set(
        (
          await Promise.all(
            [...new Set(options.groups)].map(g => onCallFor(g, options.at)),
          )
        ).flat(),
      ),
    ];
    if (users.length === 0) return [];
    if (!notifications) {
      logger.warn(
        `monitoring: alert ${event.id} not paged to ${users.join(
          ', ',
        )}: the notifications backend is not installed`,
      );
      return [];
    }
    await notifications.send({
      recipients: { type: 'entity', entityRef: users },
      payload: {
        title: `[值班 ON-CALL] ${message.title}`,
        description: [
          `你正在值班 · you are on call for ${options.groups.join(', ')}`,
          ...message.lines,
        ].join('\n'),
        severity: 'critical',
        topic: `opsdeck.monitoring.${event.fingerprint}`,
        scope: `${event.fingerprint}:${event.startsAt}:oncall${
          options.step ? `:step${options.step}` : ''
        }`,
        ...(options.link ? { link: options.link } : {}),
      },
    });
    logger.info(
      `monitoring: alert ${event.id} paged to on-call ${users.join(', ')}`,
    );
    return users;
  } catch (e) {
    logger.warn(
      `monitoring: alert ${event.id} not paged to on-call: ${
        (e as Error).name
      }: ${(e as Error).message}`.slice(0, 500),
    );
    return [];
  }
}
