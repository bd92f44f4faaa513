import type { AuditorService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { RunVault } from '../execution/credentials';
import { JobWebhook, Run, WebhookDelivery, WebhookTrigger } from '../model';
import { deliverWebhook, webhookBody } from './webhook';
import { WebhookPolicy } from './webhookPolicy';

/**
 * POSTs a finished run to its job's webhook; the signing secret is read from
 * the vault at delivery time. Never throws: the result says what happened.
 */
export function createWebhookDeliverer(options: {
  baseUrl: string;
  vault: RunVault;
  timeoutMs: number;
  retries: number;
  /** The admin allow-list, checked again at every delivery. */
  policy: WebhookPolicy;
  /** Refused deliveries are audit events. */
  auditor: AuditorService;
}) {
  return async (
    run: Run,
    webhook: JobWebhook,
    trigger: WebhookTrigger,
  ): Promise<WebhookDelivery> => {
    let secret: string | undefined;
    if (webhook.secretCredential) {
      try {
        // signs what leaves for the job's webhook, on behalf of the run
        const c = await options.vault.getSecret(webhook.secretCredential, {
          use: 'job-secret',
          for: { ref: `job:${run.jobId}` },
          ...(run.triggeredBy.startsWith('user:')
            ? { actor: run.triggeredBy }
            : {}),
        });
        if (c.type !== 'password') throw new Error('not a password');
        secret = c.password;
      } catch (e) {
        // never send unsigned what the receiver expects signed
        return {
          url: webhook.url,
          status: 'failed',
          attempts: 0,
          error: `Cannot read signing credential '${
            webhook.secretCredential
          }': ${e instanceof Error ? e.message : String(e)}`,
          deliveredAt: new Date().toISOString(),
        };
      }
    }
    const { refused, ...delivery } = await deliverWebhook({
      url: webhook.url,
      body: webhookBody(run, `${options.baseUrl}/jobs/runs/${run.id}`, trigger),
      trigger,
      secret,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      policy: options.policy,
    });
    if (refused) {
      const event = await options.auditor.createEvent({
        eventId: 'job-webhook-refused',
        severityLevel: 'high',
        meta: {
          runId: run.id,
          jobId: run.jobId,
          url: webhook.url,
          target: `job:${run.jobId}`,
        },
      });
      await event.fail({ error: new Error(delivery.error) });
    }
    return delivery;
  };
}

/** Tells the user who started a failed run (for schedules: their owner). */
export function createFailureNotifier(options: {
  baseUrl: string;
  notifications: NotificationService;
}) {
  return async (run: Run): Promise<void> => {
    if (!run.triggeredBy.startsWith('user:')) return;
    await options.notifications.send({
      recipients: { type: 'entity', entityRef: run.triggeredBy },
      payload: {
        title: `Job ${run.jobName} failed`,
        description: `${run.hostCount - (run.summary.succeeded ?? 0)} of ${
          run.hostCount
        } hosts did not succeed`,
        link: `${options.baseUrl}/jobs/runs/${run.id}`,
        severity: 'high',
        topic: 'jobs',
      },
    });
  };
}
