import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DefaultApiClient,
  type Job,
  type JobInput,
  type Parameter as JobParameter,
  type RunInput,
  type JobPatch,
  type Run,
  type RunHost,
  type RunOutputGroup,
  type Schedule,
  type ScheduleInput,
  type SchedulePatch,
  type Selector,
  type TargetHost,
} from './schema/openapi.client.generated';

export type {
  AdhocCommand,
  Job,
  JobInput,
  JobPatch,
  Language,
  Parameter as JobParameter,
  Params,
  Run,
  RunHost,
  RunInput,
  RunOptions,
  RunOutputGroup,
  Schedule,
  ScheduleInput,
  SchedulePatch,
  Selector,
  TargetHost,
  Webhook as JobWebhook,
  WebhookDelivery,
  WebhookTrigger,
} from './schema/openapi.client.generated';

export type ParameterType = JobParameter['type'];
export type RunStatus = Run['status'];
export type HostStatus = RunHost['status'];

export { WEBHOOK_TRIGGERS } from '@opsdeck/plugin-jobs-common';

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

/**
 * Talks to the jobs backend plugin (/api/jobs) through the generated client
 * (schema/openapi.client.generated.ts). Only the live run stream (Server-Sent
 * Events, which the generator cannot express) is read here by hand.
 */
export class JobsClient {
  private readonly api: DefaultApiClient;

  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  async listJobs(): Promise<Job[]> {
    return (await this.api.listJobs()).items;
  }

  createJob(job: JobInput): Promise<Job> {
    return this.api.createJob({ body: job });
  }

  updateJob(id: string, job: JobPatch): Promise<Job> {
    return this.api.updateJob({ path: { id }, body: job });
  }

  async deleteJob(id: string): Promise<void> {
    await this.api.deleteJob({ path: { id } });
  }

  async preview(selector: Selector): Promise<TargetHost[]> {
    return (await this.api.previewHosts({ body: { selector } })).items;
  }

  startRun(input: RunInput): Promise<Run> {
    return this.api.startRun({ body: input });
  }

  async listRuns(filter: {
    job?: string;
    status?: RunStatus;
    triggeredBy?: string;
    host?: string;
  }): Promise<Run[]> {
    return (await this.api.listRuns({ query: filter })).items;
  }

  getRun(id: string): Promise<{ run: Run; hosts: RunHost[] }> {
    return this.api.getRun({ path: { id } });
  }

  getRunHost(id: string, host: string): Promise<RunHost> {
    return this.api.getRunHost({ path: { id, host } });
  }

  getRunGroups(
    id: string,
  ): Promise<{ hosts: number; groups: RunOutputGroup[] }> {
    return this.api.getRunGroups({ path: { id } });
  }

  cancelRun(id: string): Promise<Run> {
    return this.api.cancelRun({ path: { id } });
  }

  rerun(id: string): Promise<Run> {
    return this.api.rerun({ path: { id }, body: { failedOnly: true } });
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
    return (await this.api.listSchedules()).items;
  }

  createSchedule(input: ScheduleInput): Promise<Schedule> {
    return this.api.createSchedule({ body: input });
  }

  setScheduleEnabled(id: string, enabled: boolean): Promise<Schedule> {
    return this.api.updateSchedule({ path: { id }, body: { enabled } });
  }

  /** Any change but `enabled` alone approves the selected hosts again for the caller. */
  updateSchedule(id: string, patch: SchedulePatch): Promise<Schedule> {
    return this.api.updateSchedule({ path: { id }, body: patch });
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.api.deleteSchedule({ path: { id } });
  }
}
