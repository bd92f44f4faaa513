import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { AlertStore } from '../database/AlertStore';

/** Resolutions (and test sends) deleted per transaction. */
export const PRUNE_BATCH = 500;

type AuditMeta = Parameters<AuditorService['createEvent']>[0]['meta'];

/**
 * Runs one housekeeping pass (`sweep`, batch by batch) and audits it as
 * `eventId` (severity low, `meta` and the pass's `outcome()`) only when it
 * failed or `changed()` says it did something: a quiet run writes no event.
 * A failure is also logged (`failure(error)`) and rethrown.
 */
async function auditedSweep(
  options: {
    auditor: AuditorService;
    logger: LoggerService;
    eventId: string;
    meta: AuditMeta;
    outcome: () => AuditMeta;
    changed: () => boolean;
    failure: (error: unknown) => string;
  },
  sweep: () => Promise<void>,
): Promise<void> {
  const audit = () =>
    options.auditor.createEvent({
      eventId: options.eventId,
      severityLevel: 'low',
      meta: options.meta,
    });
  try {
    await sweep();
  } catch (error) {
    await (
      await audit()
    ).fail({ error: error as Error, meta: options.outcome() });
    options.logger.error(options.failure(error));
    throw error;
  }
  if (options.changed()) {
    await (await audit()).success({ meta: options.outcome() });
  }
}

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
  await auditedSweep(
    {
      ...options,
      eventId: 'monitoring-alert-prune',
      meta: {
        retentionDays: options.retentionDays,
        before: before.toISOString(),
      },
      outcome: () => ({ ...total }),
      changed: () => total.events > 0,
      failure: error =>
        `Alert retention failed after deleting ${total.events} alert states: ${error}`,
    },
    async () => {
      for (;;) {
        const batch = await options.store.pruneBatch(before, batchSize);
        total.events += batch.events;
        total.deliveries += batch.deliveries;
        if (batch.events === 0) break;
      }
    },
  );
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
  await auditedSweep(
    {
      ...options,
      eventId: 'monitoring-alert-stale',
      meta: {
        staleAfterHours: options.staleAfterHours,
        before: before.toISOString(),
      },
      // the audit names at most this many fingerprints (the count is exact)
      outcome: () => ({
        resolved: fingerprints.length,
        fingerprints: fingerprints.slice(0, 1000),
      }),
      changed: () => fingerprints.length > 0,
      failure: error =>
        `Stale alerts: failed after resolving ${fingerprints.length}: ${error}`,
    },
    async () => {
      for (;;) {
        const batch = await options.store.resolveStaleBatch(
          before,
          batchSize,
          options.now,
        );
        fingerprints.push(...batch.map(a => a.fingerprint));
        if (batch.length === 0) break;
      }
    },
  );
  if (fingerprints.length > 0) {
    options.logger.info(
      `Stale alerts: resolved ${
        fingerprints.length
      } firing alerts Alertmanager has not sent since ${before.toISOString()}`,
    );
  }
  return fingerprints.length;
}
