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

/**
 * Stale firing alerts: Alertmanager resends a firing alert every
 * `repeat_interval`, so a firing alert it has not sent for
 * `staleAfterHours` is gone (its entity was decommissioned, its rule
 * deleted, or its resolution was lost). Each is resolved by a resolution
 * row marked stale (ended when last sent), batch by batch (each batch one
 * transaction), then falls under the normal retention. Audited
 * (`monitoring-alert-stale`, with the fingerprints) when it resolved any or
 * failed; not delivered to channels (nobody's alert changed, opsdeck
 * stopped hearing of it). Run by one replica at a time, before the prune.
 */
export async function resolveStaleAlerts(options: {
  store: Pick<AlertStore, 'resolveStaleBatch'>;
  staleAfterHours: number;
  now: Date;
  auditor: AuditorService;
  logger: LoggerService;
  batchSize?: number;
}): Promise<number> {
  const before = new Date(
    options.now.getTime() - options.staleAfterHours * 3_600_000,
  );
  const batchSize = options.batchSize ?? PRUNE_BATCH;
  const fingerprints: string[] = [];
  const audit = () =>
    options.auditor.createEvent({
      eventId: 'monitoring-alert-stale',
      severityLevel: 'low',
      meta: {
        staleAfterHours: options.staleAfterHours,
        before: before.toISOString(),
      },
    });
  // the audit names at most this many fingerprints (the count is exact)
  const listed = () => ({
    resolved: fingerprints.length,
    fingerprints: fingerprints.slice(0, 1000),
  });
  try {
    for (;;) {
      const batch = await options.store.resolveStaleBatch(
        before,
        batchSize,
        options.now,
      );
      fingerprints.push(...batch.map(a => a.fingerprint));
      if (batch.length === 0) break;
    }
  } catch (error) {
    await (await audit()).fail({ error: error as Error, meta: listed() });
    options.logger.error(
      `Stale alerts: failed after resolving ${fingerprints.length}: ${error}`,
    );
    throw error;
  }
  if (fingerprints.length > 0) {
    await (await audit()).success({ meta: listed() });
    options.logger.info(
      `Stale alerts: resolved ${
        fingerprints.length
      } firing alerts Alertmanager has not sent since ${before.toISOString()}`,
    );
  }
  return fingerprints.length;
}
