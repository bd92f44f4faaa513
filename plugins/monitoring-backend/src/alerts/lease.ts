import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { AlertStore } from '../database/AlertStore';
import type { AlertRouter } from './AlertRouter';

/**
 * How long a delivery may stay `sending`: far longer than a send takes (the
 * vault read and one HTTP or SMTP exchange bounded by `deliveryTimeoutMs`),
 * so one still `sending` after it was cut off by a stopped backend.
 */
export const DELIVERY_LEASE_MS = 5 * 60_000;

/**
 * Deliveries left `sending` longer than the lease (the backend stopped
 * between starting and finishing them) become `unknown`: the alert may or
 * may not have gone out, so they are not sent again automatically; each is
 * logged as an error and audited (`monitoring-delivery-outcome-unknown`, by
 * the plugin) for a person to check the channel. Run by the retry task; of
 * parallel runs each delivery is moved and reported once. Returns how many.
 */
export async function expireSendingDeliveries(options: {
  store: Pick<AlertStore, 'expireSending'>;
  now: Date;
  auditor: AuditorService;
  logger: LoggerService;
  leaseMs?: number;
}): Promise<number> {
  const leaseMs = options.leaseMs ?? DELIVERY_LEASE_MS;
  const expired = await options.store.expireSending(
    new Date(options.now.getTime() - leaseMs),
    options.now,
  );
  for (const d of expired) {
    options.logger.error(
      `monitoring: delivery ${d.id} of alert ${d.eventId} to ${d.channel} (step ${d.step}, attempt ${d.attempts}) started at ${d.startedAt} has no outcome after ${leaseMs} ms; marked unknown, not resent: check the channel`,
    );
    const audit = await options.auditor.createEvent({
      eventId: 'monitoring-delivery-outcome-unknown',
      severityLevel: 'high',
      meta: {
        deliveryId: d.id,
        alertId: d.eventId,
        channel: d.channel,
        step: d.step,
        attempts: d.attempts,
        startedAt: d.startedAt,
        leaseMs,
      },
    });
    await audit.success();
  }
  return expired.length;
}

/**
 * The body of the retry task: deliveries cut off while sending become
 * `unknown` (above), then failed ones are sent again
 * ({@link AlertRouter.retryFailed}). Returns how many of each.
 */
export async function runDeliveryRetries(options: {
  alerts: Pick<AlertRouter, 'store' | 'retryFailed'>;
  now: Date;
  auditor: AuditorService;
  logger: LoggerService;
}): Promise<{ unknown: number; retried: number }> {
  const unknown = await expireSendingDeliveries({
    store: options.alerts.store,
    now: options.now,
    auditor: options.auditor,
    logger: options.logger,
  });
  return { unknown, retried: await options.alerts.retryFailed() };
}
