import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

export type Language = 'sh' | 'bash' | 'python';
export type ParameterType = 'string' | 'number' | 'choice' | 'secret';

export interface JobParameter {
  name: string;
  type: ParameterType;
  label?: string;
  required?: boolean;
  default?: string;
  choices?: string[];
}

export interface JobInput {
  name: string;
  description?: string;
  language: Language;
  script: string;
  parameters?: JobParameter[];
  notifyOnFailure?: boolean;
  /** null (in a change) removes it. */
  webhook?: JobWebhook | null;
}

/** Which run ends call the webhook; cancel includes a run the system interrupted. */
export type WebhookTrigger = 'success' | 'failure' | 'cancel';

export const WEBHOOK_TRIGGERS: WebhookTrigger[] = [
  'success',
  'failure',
  'cancel',
];

export interface JobWebhook {
  url: string;
  /** At least one. */
  triggers: WebhookTrigger[];
  /** Vault password credential whose value signs the body. */
  secretCredential?: string;
}

export interface WebhookDelivery {
  url: string;
  status: 'delivered' | 'failed';
  /** The trigger that fired (absent on older runs). */
  trigger?: WebhookTrigger;
  attempts: number;
  responseStatus?: number;
  error?: string;
  deliveredAt: string;
}

export interface Job extends Required<Omit<JobInput, 'webhook'>> {
  webhook?: JobWebhook;
  id: string;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface Selector {
  names?: string[];
  system?: string;
  owner?: string;
  environment?: string;
  tags?: string[];
}

export interface RunOptions {
  concurrency?: number;
  timeoutSeconds?: number;
  retries?: number;
  stopOnFirstFailure?: boolean;
}

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

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

export interface Run {
  id: string;
  jobId: string;
  jobName: string;
  jobVersion: number;
  status: RunStatus;
  trigger: 'manual' | 'schedule' | 'rerun';
  triggeredBy: string;
  scheduleId?: string;
  rerunOf?: string;
  selector: Selector;
  params: Record<string, string>;
  options: Required<RunOptions>;
  cancelRequested: boolean;
  createdAt: string;
  finishedAt?: string;
  error?: string;
  summary: Partial<Record<HostStatus, number>>;
  hostCount: number;
  webhookDelivery?: WebhookDelivery;
  /** A host printed a secret parameter's value or an encoding of it (masked). */
  secretPrinted?: boolean;
  /** The command of an ad-hoc run. */
  adhoc?: AdhocCommand;
}

/** A script run once on a host selection without saving a job first. */
export interface AdhocCommand {
  language: Language;
  script: string;
}

export interface RunHost {
  host: string;
  entityRef: string;
  address: string;
  port: number;
  status: HostStatus;
  exitCode?: number;
  attempts: number;
  durationMs?: number;
  truncated: boolean;
  secretPrinted?: boolean;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  stdout?: string;
  stderr?: string;
}

/** Hosts of one run that ended with the same status, exit code and output. */
export interface RunOutputGroup {
  digest: string;
  status: HostStatus;
  exitCode?: number;
  hosts: string[];
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface TargetHost {
  name: string;
  entityRef: string;
  address: string;
  port: number;
  environment?: string;
}

export interface Schedule {
  id: string;
  name: string;
  jobId: string;
  cron: string;
  timeZone: string;
  selector: Selector;
  params: Record<string, string>;
  options: RunOptions;
  missedPolicy: 'skip' | 'run-once';
  enabled: boolean;
  createdBy: string;
  lastTickAt: string;
  nextTickAt?: string;
  approvedHosts: string[];
  approvedBy?: string;
  /** Why it paused itself (its owner lost the right to run it). */
  pausedReason?: string;
  pausedAt?: string;
}

/** One event of a run's live stream (GET /runs/{id}/events). */
export type RunEvent =
  | { type: 'run'; run: Run }
  | { type: 'host'; host: RunHost }
  | {
      type: 'output';
      host: string;
      stream: 'stdout' | 'stderr';
      /** `text` replaces the stream's text from this offset on. */
      offset: number;
      text: string;
    }
  | { type: 'end' };

export interface ScheduleInput {
  name: string;
  job: string;
  cron: string;
  timeZone: string;
  selector: Selector;
  params?: Record<string, string>;
  options?: RunOptions;
  missedPolicy: 'skip' | 'run-once';
}

/** Talks to the jobs backend plugin (/api/jobs). */
export class JobsClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async listJobs(): Promise<Job[]> {
    return (await this.request<{ items: Job[] }>('/jobs')).items;
  }

  createJob(job: JobInput): Promise<Job> {
    return this.request('/jobs', { method: 'POST', body: job });
  }

  updateJob(id: string, job: Partial<JobInput>): Promise<Job> {
    return this.request(`/jobs/${encodeURIComponent(id)}`, {
      method: 'PUT',
      body: job,
    });
  }

  async deleteJob(id: string): Promise<void> {
    await this.request(`/jobs/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  async preview(selector: Selector): Promise<TargetHost[]> {
    const body = await this.request<{ items: TargetHost[] }>('/hosts/preview', {
      method: 'POST',
      body: { selector },
    });
    return body.items;
  }

  startRun(input: {
    job?: string;
    adhoc?: AdhocCommand;
    selector: Selector;
    params: Record<string, string>;
    options: RunOptions;
  }): Promise<Run> {
    return this.request('/runs', { method: 'POST', body: input });
  }

  async listRuns(filter: {
    job?: string;
    status?: string;
    triggeredBy?: string;
    host?: string;
  }): Promise<Run[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
    const qs = q.toString();
    return (await this.request<{ items: Run[] }>(`/runs${qs ? `?${qs}` : ''}`))
      .items;
  }

  getRun(id: string): Promise<{ run: Run; hosts: RunHost[] }> {
    return this.request(`/runs/${encodeURIComponent(id)}`);
  }

  getRunHost(id: string, host: string): Promise<RunHost> {
    return this.request(
      `/runs/${encodeURIComponent(id)}/hosts/${encodeURIComponent(host)}`,
    );
  }

  getRunGroups(
    id: string,
  ): Promise<{ hosts: number; groups: RunOutputGroup[] }> {
    return this.request(`/runs/${encodeURIComponent(id)}/groups`);
  }

  cancelRun(id: string): Promise<Run> {
    return this.request(`/runs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    });
  }

  rerun(id: string): Promise<Run> {
    return this.request(`/runs/${encodeURIComponent(id)}/rerun`, {
      method: 'POST',
      body: { failedOnly: true },
    });
  }

  /**
   * Follows a run's Server-Sent Events until the run ends (resolves) or the
   * stream breaks (rejects). Read with fetch rather than EventSource: the
   * fetch API adds the Backstage token header, which EventSource cannot send.
   */
  async followRun(
    id: string,
    options: { host?: string; signal: AbortSignal },
    onEvent: (e: RunEvent) => void,
  ): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('jobs');
    const q = options.host ? `?host=${encodeURIComponent(options.host)}` : '';
    const response = await this.fetchApi.fetch(
      `${baseUrl}/runs/${encodeURIComponent(id)}/events${q}`,
      { headers: { Accept: 'text/event-stream' }, signal: options.signal },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    if (!response.body) throw new Error('The browser cannot read streams');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('The run stream ended early');
      buffer += decoder.decode(value, { stream: true });
      for (
        let cut = buffer.indexOf('\n\n');
        cut >= 0;
        cut = buffer.indexOf('\n\n')
      ) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let type = '';
        let data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (!data) continue; // keep-alive
        const body = JSON.parse(data);
        if (type === 'end') {
          onEvent({ type: 'end' });
          await reader.cancel();
          return;
        }
        if (type === 'error') throw new Error(body.message);
        if (type === 'run') onEvent({ type, run: body });
        else if (type === 'host') onEvent({ type, host: body });
        else if (type === 'output') onEvent({ type, ...body });
      }
    }
  }

  async listSchedules(): Promise<Schedule[]> {
    return (await this.request<{ items: Schedule[] }>('/schedules')).items;
  }

  createSchedule(input: ScheduleInput): Promise<Schedule> {
    return this.request('/schedules', { method: 'POST', body: input });
  }

  setScheduleEnabled(id: string, enabled: boolean): Promise<Schedule> {
    return this.request(`/schedules/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: { enabled },
    });
  }

  /** Any change but `enabled` alone approves the selected hosts again for the caller. */
  updateSchedule(
    id: string,
    patch: Partial<Omit<ScheduleInput, 'name' | 'job'>>,
  ): Promise<Schedule> {
    return this.request(`/schedules/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    });
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.request(`/schedules/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  private async request<T>(
    path: string,
    options: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('jobs');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers:
        options.body === undefined
          ? undefined
          : { 'Content-Type': 'application/json' },
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
