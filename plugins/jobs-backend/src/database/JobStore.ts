import {
  HostStatus,
  Job,
  JobDefinition,
  JobVersion,
  Run,
  RunHost,
  RunHostOutput,
  RunStatus,
  RunTrigger,
  HostSelector,
  RunOptions,
  Schedule,
  ScheduleDefinition,
  TargetHost,
  WebhookDelivery,
  AdhocCommand,
} from '../model';

export interface NewRun {
  job: Pick<Job, 'id' | 'name' | 'version'>;
  trigger: RunTrigger;
  triggeredBy: string;
  scheduleId?: string;
  rerunOf?: string;
  selector: HostSelector;
  params: Record<string, string>;
  options: RunOptions;
  hosts: TargetHost[];
  /** Hosts stored as skipped from the start, with the reason. */
  skipped?: { host: TargetHost; reason: string }[];
  /** The executing process (changes at every start). */
  runnerId: string;
  /** The stable name of the executing backend instance (survives restarts). */
  instance?: string;
  /** The command of an ad-hoc run, stored with it. */
  adhoc?: AdhocCommand;
}

/** A schedule tick claimed together with the insert of its run. */
export interface TickClaim {
  scheduleId: string;
  tickAt: number;
}

/** Which running runs {@link JobStore.markInterrupted} ends. */
export type InterruptFilter =
  /** those of this process (an orderly shutdown) */
  | { runnerId: string }
  /** those of an earlier process of this instance (at start-up) */
  | { instance: string; exceptRunner: string }
  /** those whose executing replica stopped sending heartbeats */
  | { staleBefore: number };

/** The hosts a schedule may run on, and who approved them. */
export interface ScheduleApproval {
  /** Host entity refs. */
  hosts: string[];
  by: string;
}

export interface RunFilter {
  jobId?: string;
  status?: RunStatus;
  triggeredBy?: string;
  host?: string;
  /** Runs created before this run's creation (paging). */
  before?: string;
  limit?: number;
  /**
   * Ad-hoc runs of this principal only (others' are left out, before paging);
   * unset: every ad-hoc run.
   */
  adhocOf?: string;
}

export interface RunHostPatch {
  status?: HostStatus;
  exitCode?: number | null;
  attempts?: number;
  durationMs?: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  /** Flags the host, and its run, as having printed a secret. */
  secretPrinted?: boolean;
  error?: string | null;
  startedAt?: number;
  finishedAt?: number;
}

/** Storage of jobs, runs and schedules. */
export interface JobStore {
  createJob(def: JobDefinition, actor: string): Promise<Job>;
  /** Saves a new version when script, language or parameters change. */
  updateJob(
    id: string,
    def: Partial<JobDefinition>,
    actor: string,
  ): Promise<Job | undefined>;
  getJob(idOrName: string): Promise<Job | undefined>;
  listJobs(): Promise<Job[]>;
  deleteJob(id: string): Promise<boolean>;
  listJobVersions(id: string): Promise<JobVersion[]>;
  getJobVersion(id: string, version: number): Promise<JobVersion | undefined>;

  createRun(run: NewRun): Promise<Run>;
  /**
   * Claims the schedule tick and inserts its run in one transaction; returns
   * undefined (and inserts nothing) when another replica claimed the tick.
   */
  createRun(run: NewRun, tick: TickClaim): Promise<Run | undefined>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(filter: RunFilter): Promise<Run[]>;
  listRunHosts(runId: string): Promise<RunHost[]>;
  getRunHost(runId: string, host: string): Promise<RunHostOutput | undefined>;
  /** A page of the run's hosts with their output, by host name after `after`. */
  listRunHostOutputs(
    runId: string,
    page: { after?: string; limit: number },
  ): Promise<RunHostOutput[]>;
  updateRunHost(
    runId: string,
    host: string,
    patch: RunHostPatch,
  ): Promise<void>;
  /** Sets the final status of a run that is still running. */
  finishRun(id: string, status: RunStatus, error?: string): Promise<void>;
  setWebhookDelivery(id: string, delivery: WebhookDelivery): Promise<void>;
  requestCancel(id: string): Promise<boolean>;
  cancelRequested(ids: string[]): Promise<string[]>;
  heartbeat(runIds: string[], now?: number): Promise<void>;
  /** Marks running runs interrupted (and their unfinished hosts); see the filter. */
  markInterrupted(by: InterruptFilter): Promise<string[]>;

  createSchedule(
    def: ScheduleDefinition,
    actor: string,
    approval?: ScheduleApproval,
    now?: number,
  ): Promise<Schedule>;
  /** With `approval`, replaces the approved hosts and approving user. */
  updateSchedule(
    id: string,
    def: Partial<ScheduleDefinition>,
    approval?: ScheduleApproval,
  ): Promise<Schedule | undefined>;
  deleteSchedule(id: string): Promise<boolean>;
  getSchedule(id: string): Promise<Schedule | undefined>;
  listSchedules(filter?: {
    jobId?: string;
    enabled?: boolean;
  }): Promise<Schedule[]>;
  /**
   * Switches an enabled schedule off with the reason; true only for the
   * caller whose update did it.
   */
  pauseSchedule(id: string, reason: string): Promise<boolean>;
  setLastTick(id: string, tickAt: number): Promise<void>;
  /** Whether a replica already claimed the tick (a cheap check before work). */
  isTickClaimed(scheduleId: string, tickAt: number): Promise<boolean>;
  listTicks(
    scheduleId: string,
  ): Promise<{ tickAt: number; claimedBy: string; runId?: string }[]>;
}
