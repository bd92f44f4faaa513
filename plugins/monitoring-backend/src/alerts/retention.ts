import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { AlertStore } from '../database/AlertStore';

/** Resolutions (and test sends) deleted per transaction. */
export const PRUNE_BATCH = 500;

/**
 * Retention of the alert history: deletes alert states resolved more than
 * `retentionDays` ago (and test sends as old) with their deliveries, batch
 * by batch (each batch one transaction), and logs how many; audited
 * (`monitoring-alert-prune`, with the counts) when it deleted any or failed.
 * Run by one replica at a time (a global scheduled task).
 */
export async function pruneAlerts(options: {
  store: Pick<AlertStore, 'pruneBatch'>;
  retentionDays: number;
  now: Date;
  auditor: AuditorService;
  logger: LoggerService;
  batchSize?: number;
}): Promise<{ events: number; deliveries: number }> {
  const before = new Date(
    options.now.getTime() - options.retentionDays * 86_400_000,
  );
  const batchSize = options.batchSize ?? PRUNE_BATCH;
  const total = { events: 0, deliveries: 0 };
  // audited when it deleted something or failed (not every quiet run)
  const audit = () =>
    options.auditor.createEvent({
      eventId: 'monitoring-alert-prune',
      severityLevel: 'low',
      meta: {
        retentionDays: options.retentionDays,
        before: before.toISOString(),
      },
    });
  try {
    for (;;) {
      const batch = await options.store.pruneBatch(before, batchSize);
      total.events += batch.events;
      total.deliveries += batch.deliveries;
      if (batch.events === 0) break;
    }
  } catch (error) {
    await (await audit()).fail({ error: error as Error, meta: { ...total } });
    options.logger.error(
      `Alert retention failed after deleting ${total.events} alert states: ${error}`,
    );
    throw error;
  }
  if (total.events > 0) {
    await (await audit()).success({ meta: { ...total } });
  }
  options.logger.info(
    `Alert retention (${options.retentionDays} days): deleted ${
      total.events
    } alert states and ${
      total.deliveries
    } deliveries received before ${before.toISOString()}`,
  );
  return total;
}
