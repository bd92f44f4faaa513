import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  AdhocCommand,
  HostStatus,
  JobLanguage,
  JobParameter,
  WebhookDelivery,
} from '@opsdeck/plugin-jobs-common';

/**
 * Types of the jobs plugin's records, as the API returns them. Those whose
 * wire shape is the same live in @opsdeck/plugin-jobs-common (re-exported
 * here); the others say how their wire twin differs.
 */
export {
  HOST_STATUSES,
  WEBHOOK_TRIGGERS,
  type AdhocCommand,
  type HostStatus,
  type Job,
  type JobDefinition,
  type JobLanguage,
  type JobParameter,
  type JobWebhook,
  type ParameterType,
  type RunOutputGroup,
  type WebhookDelivery,
  type WebhookTrigger,
} from '@opsdeck/plugin-jobs-common';

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

/** Differs from the wire RunOptions: there every field is optional (the router fills in DEFAULT_RUN_OPTIONS). */
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

/**
 * A host as resolved from the catalog: cmdb-common's one SSH target (owner,
 * system as full refs; prod environments need opsdeck.jobs.run.prod).
 * Differs from the wire TargetHost, which leaves out `tags`.
 */
export type TargetHost = HostTarget;

/** Differs from the wire Run: there `summary` is any status-keyed count map, here keyed by HostStatus. */
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

/** The job id, name and version every ad-hoc run is stored under. */
export const ADHOC_JOB = { id: 'adhoc', name: 'ad-hoc', version: 0 } as const;

/** Differs from the wire RunHost: that one also carries this host's `stdout`/`stderr` when asked (RunHostOutput). */
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

/** Differs from the wire Schedule: that adds `nextTickAt`, computed from the cron when answering. */
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
