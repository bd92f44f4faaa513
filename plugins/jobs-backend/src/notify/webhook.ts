import { InputError } from '@backstage/errors';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  JobWebhook,
  Run,
  WEBHOOK_TRIGGERS,
  WebhookDelivery,
  WebhookTrigger,
} from '../model';
import { WebhookPolicy } from './webhookPolicy';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>` when a secret is set. */
export const SIGNATURE_HEADER = 'X-Opsdeck-Signature';

/** Header naming the trigger that fired: success, failure or cancel. */
export const TRIGGER_HEADER = 'X-Opsdeck-Webhook-Trigger';

/**
 * Throws InputError unless the webhook is an absolute http(s) URL without
 * credentials with at least one known trigger, each once.
 */
export function validateWebhook(webhook: JobWebhook): void {
  const triggers = webhook.triggers ?? [];
  if (triggers.length === 0) {
    throw new InputError('A webhook needs at least one trigger');
  }
  for (const t of triggers) {
    if (!WEBHOOK_TRIGGERS.includes(t)) {
      throw new InputError(`Unknown webhook trigger '${t}'`);
    }
  }
  if (new Set(triggers).size !== triggers.length) {
    throw new InputError('A webhook trigger is listed twice');
  }
  let url: URL;
  try {
    url = new URL(webhook.url);
  } catch {
    throw new InputError(`Webhook URL '${webhook.url}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError('A webhook URL must use http or https');
  }
  // credentials belong in the signing secret, not in a stored URL
  if (url.username || url.password) {
    throw new InputError('A webhook URL must not contain a user or password');
  }
}

/**
 * The JSON a webhook receives for a finished run; `webhookTrigger` names the
 * ticked trigger that fired (`trigger` is how the run was started).
 */
export function webhookBody(
  run: Run,
  runUrl: string,
  webhookTrigger: WebhookTrigger,
) {
  return {
    event: 'job.run.finished',
    webhookTrigger,
    runId: run.id,
    job: { id: run.jobId, name: run.jobName, version: run.jobVersion },
    status: run.status,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
    hostCount: run.hostCount,
    summary: run.summary,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    error: run.error,
    url: runUrl,
  };
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Whether an attempt's outcome is worth another try. */
const retryable = (status?: number) =>
  status === undefined || status === 408 || status === 429 || status >= 500;

type Lookup = NonNullable<http.RequestOptions['lookup']>;

/** One POST; resolves with the HTTP status (redirects are not followed). */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  lookup?: Lookup,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? https.request : http.request;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
        lookup,
        timeout: timeoutMs,
      },
      res => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => {
      const e = new Error(`No answer within ${timeoutMs / 1000} s`);
      e.name = 'TimeoutError';
      req.destroy(e);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs `body` to the webhook with a per-attempt timeout, retrying network
 * errors, timeouts, 408, 429 and 5xx; never throws, the result says what
 * happened. A 2xx is delivered; anything else after the last attempt failed.
 * With a `policy`, the URL must be on the admin allow-list and may reach a
 * private address only when its entry allows it, checked again right before
 * sending, with the connection pinned to the addresses checked; a refusal is
 * a failed delivery without any request (`refused: true`).
 */
export async function deliverWebhook(options: {
  url: string;
  body: unknown;
  /** Sent in the trigger header too. */
  trigger?: WebhookTrigger;
  /** Signs the body when given. */
  secret?: string;
  timeoutMs?: number;
  /** Extra attempts after the first. */
  retries?: number;
  /** Pause before retry n is n times this. */
  backoffMs?: number;
  policy?: WebhookPolicy;
}): Promise<WebhookDelivery & { refused?: boolean }> {
  const text = JSON.stringify(options.body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'opsdeck-jobs',
    'X-Opsdeck-Event': 'job.run.finished',
  };
  if (options.trigger) headers[TRIGGER_HEADER] = options.trigger;
  if (options.secret)
    headers[SIGNATURE_HEADER] = signBody(text, options.secret);
  const result = (
    fields: Pick<WebhookDelivery, 'status' | 'attempts'> &
      Partial<WebhookDelivery>,
  ) => ({
    url: options.url,
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...fields,
    deliveredAt: new Date().toISOString(),
  });
  let lookup: Lookup | undefined;
  if (options.policy) {
    try {
      lookup = (await options.policy.pinnedLookup(options.url)) as Lookup;
    } catch (e) {
      return {
        ...result({
          status: 'failed',
          attempts: 0,
          error: `Refused: ${e instanceof Error ? e.message : String(e)}`,
        }),
        refused: true,
      };
    }
  }
  const retries = options.retries ?? 2;
  const timeoutMs = options.timeoutMs ?? 5000;
  let attempts = 0;
  let responseStatus: number | undefined;
  let error: string | undefined;
  while (attempts <= retries) {
    if (attempts > 0) {
      await sleep((options.backoffMs ?? 1000) * attempts);
    }
    attempts++;
    responseStatus = undefined;
    try {
      responseStatus = await post(
        options.url,
        headers,
        text,
        timeoutMs,
        lookup,
      );
      if (responseStatus >= 200 && responseStatus < 300) {
        return result({ status: 'delivered', attempts, responseStatus });
      }
      error = `HTTP ${responseStatus}`;
    } catch (e) {
      const err = e as Error & { code?: string };
      error =
        err.name === 'TimeoutError' ? err.message : err.code ?? err.message;
    }
    if (!retryable(responseStatus)) break;
  }
  return result({ status: 'failed', attempts, responseStatus, error });
}
