import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';

/** Types of the jobs plugin's records, as the API returns them. */

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

export type JobVersion = {
  jobId: string;
  version: number;
  language: JobLanguage;
  script: string;
  parameters: JobParameter[];
  createdBy: string;
  createdAt: string;
};

/** Which catalog hosts a run targets: cmdb-common's one selector (meanings in its README). */
export type { HostSelector };

export type RunOptions = {
  /** Most hosts running at once. */
  concurrency: number;
  /** Per host and attempt. */
  timeoutSeconds: number;
  /** Extra attempts after a failed one. */
  retries: number;
  /** After the first host fails (all attempts), hosts not yet started are skipped. */
  stopOnFirstFailure: boolean;
};

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  concurrency: 10,
  timeoutSeconds: 300,
  retries: 0,
  stopOnFirstFailure: false,
};

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

export type RunTrigger = 'manual' | 'schedule' | 'rerun';

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

/**
 * A host as resolved from the catalog: cmdb-common's one SSH target (owner,
 * system as full refs; prod environments need opsdeck.jobs.run.prod).
 */
export type TargetHost = HostTarget;

export type Run = {
  id: string;
  jobId: string;
  jobName: string;
  jobVersion: number;
  status: RunStatus;
  trigger: RunTrigger;
  triggeredBy: string;
  scheduleId?: string;
  rerunOf?: string;
  selector: HostSelector;
  params: Record<string, string>;
  options: RunOptions;
  cancelRequested: boolean;
  createdAt: string;
  finishedAt?: string;
  error?: string;
  /** Hosts per status. */
  summary: Partial<Record<HostStatus, number>>;
  hostCount: number;
  webhookDelivery?: WebhookDelivery;
  /** A host printed the value (or an encoding of it) of a secret parameter. */
  secretPrinted: boolean;
  /** The command of an ad-hoc run (no saved job); absent for job runs. */
  adhoc?: AdhocCommand;
};

/** A script run once on a host selection without saving a job first. */
export type AdhocCommand = {
  language: JobLanguage;
  script: string;
};

/** The job id, name and version every ad-hoc run is stored under. */
export const ADHOC_JOB = { id: 'adhoc', name: 'ad-hoc', version: 0 } as const;

export type RunHost = {
  host: string;
  entityRef: string;
  address: string;
  port: number;
  status: HostStatus;
  exitCode?: number;
  attempts: number;
  durationMs?: number;
  truncated: boolean;
  /** Its output held a secret parameter's value (masked in what is stored). */
  secretPrinted: boolean;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
};

export type RunHostOutput = RunHost & {
  stdout: string;
  stderr: string;
};

/** Hosts of one run that ended with the same status, exit code and output. */
export type RunOutputGroup = {
  /** SHA-256 of status, exit code, stdout and stderr (hex, first 16 digits). */
  digest: string;
  status: RunHost['status'];
  exitCode?: number;
  hosts: string[];
  stdout: string;
  stderr: string;
  truncated: boolean;
};

export type MissedPolicy = 'skip' | 'run-once';

export type ScheduleDefinition = {
  name: string;
  jobId: string;
  cron: string;
  timeZone: string;
  selector: HostSelector;
  params: Record<string, string>;
  options: RunOptions;
  missedPolicy: MissedPolicy;
  enabled: boolean;
};

export type Schedule = ScheduleDefinition & {
  id: string;
  createdBy: string;
  /** Host entity refs the approving user was allowed to run on at the last edit. */
  approvedHosts: string[];
  approvedBy?: string;
  approvedAt?: string;
  /**
   * Why the schedule paused itself (its owner lost the right to run it on
   * its hosts); set with `enabled: false`, cleared when someone allowed on
   * every host edits it.
   */
  pausedReason?: string;
  pausedAt?: string;
  createdAt: string;
  updatedAt: string;
  lastTickAt: string;
};
