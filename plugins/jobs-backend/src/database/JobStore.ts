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
  runnerId: string;
}

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
}

export interface RunHostPatch {
  status?: HostStatus;
  exitCode?: number | null;
  attempts?: number;
  durationMs?: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
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
  getRun(id: string): Promise<Run | undefined>;
  listRuns(filter: RunFilter): Promise<Run[]>;
  listRunHosts(runId: string): Promise<RunHost[]>;
  getRunHost(runId: string, host: string): Promise<RunHostOutput | undefined>;
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
  /**
   * Marks running runs interrupted (and their unfinished hosts): those of
   * `runnerId`, or those whose heartbeat is older than `staleBefore`.
   */
  markInterrupted(
    by: { runnerId: string } | { staleBefore: number },
  ): Promise<string[]>;

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
  setLastTick(id: string, tickAt: number): Promise<void>;
  /** Inserts the tick row; true only for the one caller whose insert won. */
  claimTick(
    scheduleId: string,
    tickAt: number,
    runnerId: string,
  ): Promise<boolean>;
  setTickRun(scheduleId: string, tickAt: number, runId: string): Promise<void>;
  listTicks(
    scheduleId: string,
  ): Promise<{ tickAt: number; claimedBy: string; runId?: string }[]>;
}
