/** Row mappers of the jobs tables (SQLite and PostgreSQL return types differ). */
import { HostStatus, Job, Run, RunHost, Schedule } from '../model';

export const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();
export const json = (text: unknown) => JSON.parse(String(text));
export const bool = (v: unknown) => v === true || v === 1 || v === '1';
export const opt = <T>(v: T | null): T | undefined =>
  v === null ? undefined : v;

export function toJob(row: any): Job {
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

export function toRun(
  row: any,
  summary: Partial<Record<HostStatus, number>>,
): Run {
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
    secretPrinted: bool(row.secret_printed),
    ...(row.adhoc_script
      ? { adhoc: { language: row.adhoc_language, script: row.adhoc_script } }
      : {}),
  };
}

export function toRunHost(row: any): RunHost {
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
    secretPrinted: bool(row.secret_printed),
    error: opt(row.error),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toSchedule(row: any): Schedule {
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
    ...(row.paused_reason
      ? { pausedReason: row.paused_reason, pausedAt: iso(row.paused_at) }
      : {}),
  };
}
