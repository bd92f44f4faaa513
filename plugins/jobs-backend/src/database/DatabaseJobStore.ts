import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  HostStatus,
  Job,
  JobDefinition,
  JobVersion,
  Run,
  RunHost,
  RunHostOutput,
  RunStatus,
  Schedule,
  ScheduleDefinition,
  TargetHost,
  WebhookDelivery,
} from '../model';
import {
  JobStore,
  NewRun,
  RunFilter,
  RunHostPatch,
  ScheduleApproval,
} from './JobStore';
import { applyJobsMigrations } from './migrations';

const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();
const json = (text: unknown) => JSON.parse(String(text));
const bool = (v: unknown) => v === true || v === 1 || v === '1';
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

const UNFINISHED_HOST: HostStatus[] = ['pending', 'running'];

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err.code === '23505' ||
    String(err.code ?? '').startsWith('SQLITE_CONSTRAINT') ||
    /UNIQUE constraint failed/.test(err.message ?? '')
  );
}

function toJob(row: any): Job {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    language: row.language,
    script: row.script,
    parameters: json(row.parameters),
    version: Number(row.version),
    notifyOnFailure: bool(row.notify_on_failure),
    ...(row.webhook ? { webhook: json(row.webhook) } : {}),
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    updatedBy: row.updated_by,
    updatedAt: iso(row.updated_at)!,
  };
}

function toRun(row: any, summary: Partial<Record<HostStatus, number>>): Run {
  return {
    id: row.id,
    jobId: row.job_id,
    jobName: row.job_name,
    jobVersion: Number(row.job_version),
    status: row.status,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    scheduleId: opt(row.schedule_id),
    rerunOf: opt(row.rerun_of),
    selector: json(row.selector),
    params: json(row.params),
    options: json(row.options),
    cancelRequested: bool(row.cancel_requested),
    createdAt: iso(row.created_at)!,
    finishedAt: iso(row.finished_at),
    error: opt(row.error),
    summary,
    hostCount: Object.values(summary).reduce((a, b) => a + (b ?? 0), 0),
    ...(row.webhook_delivery
      ? { webhookDelivery: json(row.webhook_delivery) }
      : {}),
  };
}

function toRunHost(row: any): RunHost {
  return {
    host: row.host,
    entityRef: row.entity_ref,
    address: row.address,
    port: Number(row.port),
    status: row.status,
    exitCode:
      row.exit_code === null || row.exit_code === undefined
        ? undefined
        : Number(row.exit_code),
    attempts: Number(row.attempts),
    durationMs:
      row.duration_ms === null || row.duration_ms === undefined
        ? undefined
        : Number(row.duration_ms),
    truncated: bool(row.truncated),
    error: opt(row.error),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

function toSchedule(row: any): Schedule {
  return {
    id: row.id,
    name: row.name,
    jobId: row.job_id,
    cron: row.cron,
    timeZone: row.time_zone,
    selector: json(row.selector),
    params: json(row.params),
    options: json(row.options),
    missedPolicy: row.missed_policy,
    enabled: bool(row.enabled),
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    lastTickAt: iso(row.last_tick_at)!,
    approvedHosts: json(row.approved_hosts ?? '[]'),
    approvedBy: opt(row.approved_by ?? null),
    approvedAt: iso(row.approved_at),
  };
}

/** The knex implementation of {@link JobStore} (SQLite and PostgreSQL). */
export class DatabaseJobStore implements JobStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseJobStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyJobsMigrations(knex);
    }
    return new DatabaseJobStore(knex);
  }

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  // --- jobs -----------------------------------------------------------------

  async createJob(def: JobDefinition, actor: string): Promise<Job> {
    const id = randomUUID();
    const now = this.now();
    try {
      await this.db.transaction(async tx => {
        await tx('jobs').insert({
          id,
          name: def.name,
          description: def.description,
          language: def.language,
          script: def.script,
          parameters: JSON.stringify(def.parameters),
          version: 1,
          notify_on_failure: def.notifyOnFailure,
          webhook: def.webhook ? JSON.stringify(def.webhook) : null,
          created_by: actor,
          created_at: now,
          updated_by: actor,
          updated_at: now,
        });
        await tx('job_versions').insert({
          job_id: id,
          version: 1,
          language: def.language,
          script: def.script,
          parameters: JSON.stringify(def.parameters),
          created_by: actor,
          created_at: now,
        });
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(`A job named '${def.name}' already exists`);
      }
      throw e;
    }
    return (await this.getJob(id))!;
  }

  async updateJob(
    id: string,
    def: Partial<JobDefinition>,
    actor: string,
  ): Promise<Job | undefined> {
    const current = await this.getJob(id);
    if (!current) return undefined;
    const given = Object.fromEntries(
      Object.entries(def).filter(([, v]) => v !== undefined),
    ) as Partial<JobDefinition>;
    const next = { ...current, ...given };
    const scriptChanged =
      next.script !== current.script ||
      next.language !== current.language ||
      JSON.stringify(next.parameters) !== JSON.stringify(current.parameters);
    const version = scriptChanged ? current.version + 1 : current.version;
    const now = this.now();
    try {
      await this.db.transaction(async tx => {
        await tx('jobs')
          .where({ id })
          .update({
            name: next.name,
            description: next.description,
            language: next.language,
            script: next.script,
            parameters: JSON.stringify(next.parameters),
            notify_on_failure: next.notifyOnFailure,
            // null in a change removes the webhook
            webhook: next.webhook ? JSON.stringify(next.webhook) : null,
            version,
            updated_by: actor,
            updated_at: now,
          });
        if (scriptChanged) {
          await tx('job_versions').insert({
            job_id: id,
            version,
            language: next.language,
            script: next.script,
            parameters: JSON.stringify(next.parameters),
            created_by: actor,
            created_at: now,
          });
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(`A job named '${next.name}' already exists`);
      }
      throw e;
    }
    return this.getJob(id);
  }

  async getJob(idOrName: string): Promise<Job | undefined> {
    const row = await this.db('jobs')
      .where({ id: idOrName })
      .orWhere({ name: idOrName })
      .first();
    return row ? toJob(row) : undefined;
  }

  async listJobs(): Promise<Job[]> {
    const rows = await this.db('jobs').orderBy('name');
    return rows.map(toJob);
  }

  async deleteJob(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const n = await tx('jobs').where({ id }).delete();
      if (n === 0) return false;
      const schedules = await tx('schedules')
        .where({ job_id: id })
        .select('id');
      await tx('schedule_ticks')
        .whereIn(
          'schedule_id',
          schedules.map(s => s.id),
        )
        .delete();
      await tx('schedules').where({ job_id: id }).delete();
      // Versions stay: runs in the history refer to them.
      return true;
    });
  }

  async listJobVersions(id: string): Promise<JobVersion[]> {
    const rows = await this.db('job_versions')
      .where({ job_id: id })
      .orderBy('version', 'desc');
    return rows.map(r => this.toVersion(r));
  }

  async getJobVersion(
    id: string,
    version: number,
  ): Promise<JobVersion | undefined> {
    const row = await this.db('job_versions')
      .where({ job_id: id, version })
      .first();
    return row ? this.toVersion(row) : undefined;
  }

  private toVersion(row: any): JobVersion {
    return {
      jobId: row.job_id,
      version: Number(row.version),
      language: row.language,
      script: row.script,
      parameters: json(row.parameters),
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
    };
  }

  // --- runs -----------------------------------------------------------------

  async createRun(run: NewRun): Promise<Run> {
    const id = randomUUID();
    const now = this.now();
    await this.db.transaction(async tx => {
      await tx('runs').insert({
        id,
        job_id: run.job.id,
        job_name: run.job.name,
        job_version: run.job.version,
        status: 'running',
        trigger: run.trigger,
        triggered_by: run.triggeredBy,
        schedule_id: run.scheduleId ?? null,
        rerun_of: run.rerunOf ?? null,
        selector: JSON.stringify(run.selector),
        params: JSON.stringify(run.params),
        options: JSON.stringify(run.options),
        cancel_requested: false,
        runner_id: run.runnerId,
        heartbeat_at: now,
        created_at: now,
      });
      const row = (h: TargetHost) => ({
        run_id: id,
        host: h.name,
        entity_ref: h.entityRef,
        address: h.address,
        port: h.port,
        status: 'pending',
        attempts: 0,
        stdout: '',
        stderr: '',
        truncated: false,
      });
      const rows = [
        ...run.hosts.map(row),
        ...(run.skipped ?? []).map(s => ({
          ...row(s.host),
          status: 'skipped',
          error: s.reason,
          finished_at: now,
        })),
      ];
      // SQLite limits bound variables per statement
      for (let i = 0; i < rows.length; i += 50) {
        await tx('run_hosts').insert(rows.slice(i, i + 50));
      }
    });
    return (await this.getRun(id))!;
  }

  private async summaries(
    runIds: string[],
  ): Promise<Map<string, Partial<Record<HostStatus, number>>>> {
    const result = new Map<string, Partial<Record<HostStatus, number>>>();
    if (runIds.length === 0) return result;
    const rows = await this.db('run_hosts')
      .whereIn('run_id', runIds)
      .groupBy('run_id', 'status')
      .select('run_id', 'status')
      .count({ n: '*' });
    for (const r of rows as any[]) {
      const s = result.get(r.run_id) ?? {};
      s[r.status as HostStatus] = Number(r.n);
      result.set(r.run_id, s);
    }
    return result;
  }

  async getRun(id: string): Promise<Run | undefined> {
    const row = await this.db('runs').where({ id }).first();
    if (!row) return undefined;
    const summaries = await this.summaries([id]);
    return toRun(row, summaries.get(id) ?? {});
  }

  async listRuns(filter: RunFilter): Promise<Run[]> {
    const q = this.db('runs').select('runs.*');
    if (filter.jobId) q.where('runs.job_id', filter.jobId);
    if (filter.status) q.where('runs.status', filter.status);
    if (filter.triggeredBy) q.where('runs.triggered_by', filter.triggeredBy);
    if (filter.host) {
      q.whereIn(
        'runs.id',
        this.db('run_hosts').where('host', filter.host).select('run_id'),
      );
    }
    if (filter.before) {
      const before = await this.db('runs')
        .where({ id: filter.before })
        .first('created_at');
      if (before) q.where('runs.created_at', '<', before.created_at);
    }
    const rows = await q
      .orderBy('runs.created_at', 'desc')
      .orderBy('runs.id', 'desc')
      .limit(filter.limit ?? 50);
    const summaries = await this.summaries(rows.map(r => r.id));
    return rows.map(r => toRun(r, summaries.get(r.id) ?? {}));
  }

  async listRunHosts(runId: string): Promise<RunHost[]> {
    const rows = await this.db('run_hosts')
      .where({ run_id: runId })
      .orderBy('host')
      .select(
        'host',
        'entity_ref',
        'address',
        'port',
        'status',
        'exit_code',
        'attempts',
        'duration_ms',
        'truncated',
        'error',
        'started_at',
        'finished_at',
      );
    return rows.map(toRunHost);
  }

  async getRunHost(
    runId: string,
    host: string,
  ): Promise<RunHostOutput | undefined> {
    const row = await this.db('run_hosts')
      .where({ run_id: runId, host })
      .first();
    if (!row) return undefined;
    return { ...toRunHost(row), stdout: row.stdout, stderr: row.stderr };
  }

  async updateRunHost(
    runId: string,
    host: string,
    patch: RunHostPatch,
  ): Promise<void> {
    const row: Record<string, unknown> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.exitCode !== undefined) row.exit_code = patch.exitCode;
    if (patch.attempts !== undefined) row.attempts = patch.attempts;
    if (patch.durationMs !== undefined) row.duration_ms = patch.durationMs;
    if (patch.stdout !== undefined) row.stdout = patch.stdout;
    if (patch.stderr !== undefined) row.stderr = patch.stderr;
    if (patch.truncated !== undefined) row.truncated = patch.truncated;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (Object.keys(row).length === 0) return;
    await this.db('run_hosts').where({ run_id: runId, host }).update(row);
  }

  async finishRun(id: string, status: RunStatus, error?: string) {
    await this.db('runs')
      .where({ id, status: 'running' })
      .update({ status, finished_at: this.now(), error: error ?? null });
  }

  async setWebhookDelivery(
    id: string,
    delivery: WebhookDelivery,
  ): Promise<void> {
    await this.db('runs')
      .where({ id })
      .update({ webhook_delivery: JSON.stringify(delivery) });
  }

  async requestCancel(id: string): Promise<boolean> {
    const n = await this.db('runs')
      .where({ id, status: 'running' })
      .update({ cancel_requested: true });
    return n > 0;
  }

  async cancelRequested(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db('runs')
      .whereIn('id', ids)
      .where({ cancel_requested: true })
      .select('id');
    return rows.map(r => r.id);
  }

  async heartbeat(runIds: string[], now = this.now()): Promise<void> {
    if (runIds.length === 0) return;
    await this.db('runs')
      .whereIn('id', runIds)
      .where({ status: 'running' })
      .update({ heartbeat_at: now });
  }

  async markInterrupted(
    by: { runnerId: string } | { staleBefore: number },
  ): Promise<string[]> {
    const now = this.now();
    return this.db.transaction(async tx => {
      const q = tx('runs').where({ status: 'running' });
      if ('runnerId' in by) q.where({ runner_id: by.runnerId });
      else q.where('heartbeat_at', '<', by.staleBefore);
      const ids = (await q.select('id')).map(r => r.id as string);
      if (ids.length === 0) return [];
      await tx('runs').whereIn('id', ids).where({ status: 'running' }).update({
        status: 'interrupted',
        finished_at: now,
        error: 'The backend running it stopped before it finished',
      });
      await tx('run_hosts')
        .whereIn('run_id', ids)
        .whereIn('status', UNFINISHED_HOST)
        .update({ status: 'interrupted', finished_at: now });
      return ids;
    });
  }

  // --- schedules ------------------------------------------------------------

  async createSchedule(
    def: ScheduleDefinition,
    actor: string,
    approval: ScheduleApproval = { hosts: [], by: actor },
    now = this.now(),
  ): Promise<Schedule> {
    const id = randomUUID();
    await this.db('schedules').insert({
      id,
      job_id: def.jobId,
      name: def.name,
      cron: def.cron,
      time_zone: def.timeZone,
      selector: JSON.stringify(def.selector),
      params: JSON.stringify(def.params),
      options: JSON.stringify(def.options),
      missed_policy: def.missedPolicy,
      enabled: def.enabled,
      created_by: actor,
      created_at: now,
      updated_at: now,
      last_tick_at: now,
      approved_hosts: JSON.stringify(approval.hosts),
      approved_by: approval.by,
      approved_at: now,
    });
    return (await this.getSchedule(id))!;
  }

  async updateSchedule(
    id: string,
    def: Partial<ScheduleDefinition>,
    approval?: ScheduleApproval,
  ): Promise<Schedule | undefined> {
    const row: Record<string, unknown> = { updated_at: this.now() };
    if (approval) {
      row.approved_hosts = JSON.stringify(approval.hosts);
      row.approved_by = approval.by;
      row.approved_at = this.now();
    }
    if (def.name !== undefined) row.name = def.name;
    if (def.cron !== undefined) row.cron = def.cron;
    if (def.timeZone !== undefined) row.time_zone = def.timeZone;
    if (def.selector !== undefined) row.selector = JSON.stringify(def.selector);
    if (def.params !== undefined) row.params = JSON.stringify(def.params);
    if (def.options !== undefined) row.options = JSON.stringify(def.options);
    if (def.missedPolicy !== undefined) row.missed_policy = def.missedPolicy;
    if (def.enabled !== undefined) row.enabled = def.enabled;
    const n = await this.db('schedules').where({ id }).update(row);
    return n ? this.getSchedule(id) : undefined;
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const n = await tx('schedules').where({ id }).delete();
      await tx('schedule_ticks').where({ schedule_id: id }).delete();
      return n > 0;
    });
  }

  async getSchedule(id: string): Promise<Schedule | undefined> {
    const row = await this.db('schedules').where({ id }).first();
    return row ? toSchedule(row) : undefined;
  }

  async listSchedules(
    filter: { jobId?: string; enabled?: boolean } = {},
  ): Promise<Schedule[]> {
    const q = this.db('schedules');
    if (filter.jobId) q.where({ job_id: filter.jobId });
    if (filter.enabled !== undefined) q.where({ enabled: filter.enabled });
    const rows = await q.orderBy('name');
    return rows.map(toSchedule);
  }

  async setLastTick(id: string, tickAt: number): Promise<void> {
    await this.db('schedules')
      .where({ id })
      .where('last_tick_at', '<', tickAt)
      .update({ last_tick_at: tickAt });
  }

  async claimTick(
    scheduleId: string,
    tickAt: number,
    runnerId: string,
  ): Promise<boolean> {
    try {
      await this.db('schedule_ticks').insert({
        schedule_id: scheduleId,
        tick_at: tickAt,
        claimed_by: runnerId,
        claimed_at: this.now(),
      });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async setTickRun(scheduleId: string, tickAt: number, runId: string) {
    await this.db('schedule_ticks')
      .where({ schedule_id: scheduleId, tick_at: tickAt })
      .update({ run_id: runId });
  }

  async listTicks(scheduleId: string) {
    const rows = await this.db('schedule_ticks')
      .where({ schedule_id: scheduleId })
      .orderBy('tick_at');
    return rows.map(r => ({
      tickAt: Number(r.tick_at),
      claimedBy: r.claimed_by as string,
      runId: opt(r.run_id) as string | undefined,
    }));
  }
}
