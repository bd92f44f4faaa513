import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { ReportRecord } from '@opsdeck/plugin-report-common';
import { ClassifiedRecord } from './auditRecords';

/** The fields of a jobs plugin run (GET /api/jobs/runs) the report reads. */
export interface JobRun {
  id: string;
  jobName: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  trigger: 'manual' | 'schedule' | 'rerun';
  triggeredBy: string;
  createdAt: string;
  hostCount: number;
}

/** Reads job runs of a time range, newest first. */
export type JobRunReader = (from: Date, to: Date) => Promise<JobRun[]>;

/**
 * Job runs from the jobs plugin's API (`GET /api/jobs/runs`, newest first,
 * paged by run id), read with the report plugin's own service credentials.
 * A run's outcome lives in the jobs plugin's database, not in the audit log
 * (scheduled runs are never audited as a person's request), hence the API.
 */
export function jobsApiReader(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
}): JobRunReader {
  return async (from, to) => {
    const { token } = await deps.auth.getPluginRequestToken({
      onBehalfOf: await deps.auth.getOwnServiceCredentials(),
      targetPluginId: 'jobs',
    });
    const base = await deps.discovery.getBaseUrl('jobs');
    const runs: JobRun[] = [];
    let before: string | undefined;
    for (;;) {
      const url = new URL(`${base}/runs`);
      url.searchParams.set('limit', '200');
      if (before) url.searchParams.set('before', before);
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw await ResponseError.fromResponse(res);
      const { items } = (await res.json()) as { items: JobRun[] };
      for (const run of items) {
        const at = Date.parse(run.createdAt);
        if (at >= from.getTime() && at < to.getTime()) runs.push(run);
      }
      const oldest = items[items.length - 1];
      if (
        items.length < 200 ||
        !oldest ||
        Date.parse(oldest.createdAt) < from.getTime()
      ) {
        return runs.reverse();
      }
      before = oldest.id;
    }
  };
}

/**
 * A run counts for `jobs.runs`; a failed or interrupted one also for
 * `jobs.failed`. Both are attributed to the person who triggered it (for a
 * scheduled run, the schedule's approver or creator).
 */
export function classifyJobRun(run: JobRun): ClassifiedRecord[] {
  const record: ReportRecord = {
    source: 'job-run',
    id: run.id,
    at: new Date(run.createdAt).toISOString(),
    actor: run.triggeredBy || undefined,
    target: `job:${run.jobName}`,
    label: `${run.jobName} (${run.trigger}, ${run.hostCount} host${
      run.hostCount === 1 ? '' : 's'
    }): ${run.status}`,
    path: `/jobs/runs/${encodeURIComponent(run.id)}`,
  };
  const out: ClassifiedRecord[] = [
    {
      figure: 'jobs.runs',
      record,
      attributedTo: run.triggeredBy?.toLocaleLowerCase('en-US'),
      attribution: 'actor',
    },
  ];
  if (run.status === 'failed' || run.status === 'interrupted') {
    out.push({ ...out[0], figure: 'jobs.failed' });
  }
  return out;
}
