import { JobWebhook, RunStatus, WebhookTrigger } from '../model';

/**
 * The webhook trigger a run's final status belongs to; undefined while it
 * runs. An interrupted run (its backend stopped before the run ended) counts
 * as a failure: nobody chose to stop it and its hosts may not have finished,
 * which is what a team subscribed to failures needs to hear about.
 */
export function triggerOf(status: RunStatus): WebhookTrigger | undefined {
  switch (status) {
    case 'succeeded':
      return 'success';
    case 'failed':
    case 'interrupted':
      return 'failure';
    case 'cancelled':
      return 'cancel';
    default:
      return undefined;
  }
}

/** The trigger that fires the job's webhook for a run ending so, if ticked. */
export function dueTrigger(
  webhook: JobWebhook | undefined,
  status: RunStatus,
): WebhookTrigger | undefined {
  const trigger = triggerOf(status);
  return trigger && webhook?.triggers.includes(trigger) ? trigger : undefined;
}
