import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';

/**
 * Audits runs that ended `interrupted` because the backend executing them
 * died: one `job-run-interrupted` event per run (severity medium, so it is on
 * the Audit page), saying how it was found.
 */
export async function auditInterruptedRuns(
  deps: { auditor: AuditorService; logger: LoggerService },
  runIds: string[],
  how: 'own-restart' | 'stale-heartbeat',
): Promise<void> {
  if (runIds.length === 0) return;
  deps.logger.warn(
    `Marked ${runIds.length} job runs interrupted (${
      how === 'own-restart'
        ? "this instance's previous process died"
        : 'their replica stopped sending heartbeats'
    }): ${runIds.join(', ')}`,
  );
  for (const runId of runIds) {
    const event = await deps.auditor.createEvent({
      eventId: 'job-run-interrupted',
      severityLevel: 'medium',
      meta: { runId, target: `job-run:${runId}`, how },
    });
    await event.fail({
      error: new Error('The backend running it stopped before it finished'),
    });
  }
}

/**
 * Audits a host of a run that printed a secret parameter's value or an
 * encoding of it (masked in the stored and streamed output): severity high,
 * so it stands out on the Audit page.
 */
export async function auditSecretPrinted(
  deps: { auditor: AuditorService; logger: LoggerService },
  runId: string,
  host: string,
): Promise<void> {
  deps.logger.warn(`Run ${runId}: host ${host} printed a secret (masked)`);
  const event = await deps.auditor.createEvent({
    eventId: 'job-run-secret-printed',
    severityLevel: 'high',
    meta: { runId, host, target: `job-run:${runId}` },
  });
  await event.fail({
    error: new Error(
      `Host ${host} printed the value of a secret parameter; it is masked in the output`,
    ),
  });
}
