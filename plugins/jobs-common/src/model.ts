/**
 * The jobs API's records as the backend stores and answers them; the
 * backend's model re-exports them and the generated client of plugins/jobs
 * imports them (jobs-backend package.json, opsdeck.openapiSharedTypes).
 */

export type JobLanguage = 'sh' | 'bash' | 'python';

export type ParameterType = 'string' | 'number' | 'choice' | 'secret';

/**
 * A typed script parameter. Its value reaches the script only as the
 * environment variable `OPSDECK_PARAM_<NAME>`. A secret parameter's value is
 * the name of a vault credential (type password): the secret is read from the
 * vault when the run starts and never stored or shown by the jobs plugin.
 */
export type JobParameter = {
  name: string;
  type: ParameterType;
  label?: string;
  required?: boolean;
  default?: string;
  choices?: string[];
};

export type JobDefinition = {
  name: string;
  description: string;
  language: JobLanguage;
  script: string;
  parameters: JobParameter[];
  notifyOnFailure: boolean;
  webhook?: JobWebhook;
};

/**
 * Which run ends POST the webhook: `success` (succeeded), `failure` (failed:
 * a host failed, timed out or hit an error) and `cancel` (a user cancelled the
 * run, or the system stopped it: interrupted by a backend shutdown).
 */
export type WebhookTrigger = 'success' | 'failure' | 'cancel';

export const WEBHOOK_TRIGGERS: WebhookTrigger[] = [
  'success',
  'failure',
  'cancel',
];

/**
 * Where a job's finished runs are POSTed, on the ticked triggers.
 * `secretCredential` names a vault password credential whose password signs
 * the body (HMAC-SHA256); the secret itself is never stored by jobs.
 */
export type JobWebhook = {
  url: string;
  triggers: WebhookTrigger[];
  secretCredential?: string;
};

/** What happened to a run's webhook POST. */
export type WebhookDelivery = {
  url: string;
  status: 'delivered' | 'failed';
  /** The trigger that fired (absent on deliveries made before triggers existed). */
  trigger?: WebhookTrigger;
  attempts: number;
  /** HTTP status of the last attempt, when there was a response. */
  responseStatus?: number;
  error?: string;
  deliveredAt: string;
};

export type Job = JobDefinition & {
  id: string;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
};

/** A script run once on a host selection without saving a job first. */
export type AdhocCommand = {
  language: JobLanguage;
  script: string;
};

export type HostStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'skipped'
  | 'error'
  | 'interrupted';

export const HOST_STATUSES: HostStatus[] = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
  'error',
  'interrupted',
];

/** Hosts of one run that ended with the same status, exit code and output. */
export type RunOutputGroup = {
  /** SHA-256 of status, exit code, stdout and stderr (hex, first 16 digits). */
  digest: string;
  status: HostStatus;
  exitCode?: number;
  hosts: string[];
  stdout: string;
  stderr: string;
  truncated: boolean;
};
