import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { crashPoint, isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import { randomUUID } from 'node:crypto';
import {
  HostStatus,
  Job,
  JobDefinition,
  JobVersion,
  Run,
  RunHost,
  RunHostOutput,
  RunStatus,
  TargetHost,
  WebhookDelivery,
} from '../model';
import { DatabaseScheduleStore } from './DatabaseScheduleStore';
import {
  InterruptFilter,
  JobStore,
  NewRun,
  RunFilter,
  RunHostPatch,
  TickClaim,
} from './JobStore';
import { applyJobsMigrations } from './migrations';
import { toJob, toRun, toRunHost, json, iso } from './rows';

const UNFINISHED_HOST: HostStatus[] = ['pending', 'running'];

/** The knex implementation of {@link JobStore} (SQLite and PostgreSQL). */
export class DatabaseJobStore
  extends DatabaseScheduleStore
  implements JobStore
{
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseJobStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyJobsMigrations(knex);
    }
    return new DatabaseJobStore(knex);
  }

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

  createRun(run: NewRun): Promise<Run>;
  createRun(run: NewRun, tick: TickClaim): Promise<Run | undefined>;
  async createRun(run: NewRun, tick?: TickClaim): Promise<Run | undefined> {
    const id = randomUUID();
    const now = this.now();
    const created = await this.db.transaction(async tx => {
      if (tick) {
        // the claim and the run are one transaction: a crash between them
        // leaves neither, and the tick is claimed again after the restart
        try {
          await tx('schedule_ticks').insert({
            schedule_id: tick.scheduleId,
            tick_at: tick.tickAt,
            claimed_by: run.runnerId,
            claimed_at: now,
            run_id: id,
          });
        } catch (e) {
          if (isUniqueViolation(e)) return false; // another replica has it
          throw e;
        }
        crashPoint('jobs.schedule.claimed');
      }
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
        instance: run.instance ?? null,
        adhoc_language: run.adhoc?.language ?? null,
        adhoc_script: run.adhoc?.script ?? null,
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
      return true;
    });
    return created ? (await this.getRun(id))! : undefined;
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
    if (filter.adhocOf !== undefined) {
      const adhocOf = filter.adhocOf;
      q.where(w =>
        w.whereNull('runs.adhoc_script').orWhere('runs.triggered_by', adhocOf),
      );
    }
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
        'secret_printed',
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

  async listRunHostOutputs(
    runId: string,
    page: { after?: string; limit: number },
  ): Promise<RunHostOutput[]> {
    const query = this.db('run_hosts').where({ run_id: runId });
    if (page.after !== undefined) query.andWhere('host', '>', page.after);
    const rows = await query.orderBy('host').limit(page.limit);
    return rows.map(row => ({
      ...toRunHost(row),
      stdout: row.stdout ?? '',
      stderr: row.stderr ?? '',
    }));
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
    if (patch.secretPrinted) row.secret_printed = true;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (Object.keys(row).length === 0) return;
    await this.db('run_hosts').where({ run_id: runId, host }).update(row);
    if (patch.secretPrinted) {
      await this.db('runs')
        .where({ id: runId, secret_printed: false })
        .update({ secret_printed: true });
    }
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

  async markInterrupted(by: InterruptFilter): Promise<string[]> {
    const now = this.now();
    return this.db.transaction(async tx => {
      const q = tx('runs').where({ status: 'running' });
      if ('runnerId' in by) q.where({ runner_id: by.runnerId });
      else if ('instance' in by) {
        // this instance's runs from before its restart
        q.where({ instance: by.instance }).whereNot({
          runner_id: by.exceptRunner,
        });
      } else q.where('heartbeat_at', '<', by.staleBefore);
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
}
