import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

export interface Instance {
  ref: string;
  name: string;
  title?: string;
  engine: 'postgresql' | 'mysql' | 'redis' | 'mongodb';
  type: string;
  address: string;
  port: number;
  database?: string;
  environment?: string;
  approverGroups: string[];
}

export interface Finding {
  rule: string;
  level: 'error' | 'warning';
  statementIndex: number | null;
  message: string;
}

export interface Review {
  statements: {
    index: number;
    sql: string;
    kind: string;
    estimatedRows?: number;
  }[];
  findings: Finding[];
  errors: number;
  warnings: number;
}

export interface Run {
  index: number;
  status: string;
  affectedRows?: number;
  durationMs?: number;
  error?: string;
  rollbackSql?: string;
}

export interface Change {
  id: string;
  instanceRef: string;
  database?: string;
  title: string;
  sql: string;
  submitter: string;
  reason?: string;
  status: string;
  review: Review;
  approverGroups: string[];
  approvals: {
    level: number;
    group: string;
    user: string;
    decision: string;
    comment?: string;
  }[];
  scheduledAt?: string;
  scheduledBy?: string;
  executedBy?: string;
  error?: string;
  createdAt: string;
  runs: Run[];
}

export type ChangeSummary = Omit<Change, 'review' | 'runs'> & {
  errors: number;
  warnings: number;
};

export interface Rule {
  id: string;
  title: string;
  defaultLevel: string;
  description: string;
  usesInstance: boolean;
  options?: Record<string, number>;
}

/** The query console's deny-list, per engine (shown on the rules page). */
export interface ConsoleDenyList {
  /** Rules the console names when it refuses a statement. */
  rules: string[];
  functions: {
    engine: string;
    family: string;
    rule: string;
    why: string;
    names: string[];
  }[];
  clauses: { engine: string; key: string; clause: string; why: string }[];
}

/** The connection check of an instance (with its read credential). */
export interface InstanceCheck {
  reachable: boolean;
  version?: string;
  error?: string;
  /** What the server says the read login can do beyond reading. */
  readLogin?: { readOnly: boolean; problems: string[] };
  /** An admin's exception: the console may use a privileged read login. */
  exception?: { reason: string; setBy: string; setAt: string };
}

export interface QueryResult {
  columns: string[];
  rows: (string | null)[][];
  maskedColumns: string[];
  truncated: boolean;
  durationMs: number;
}

export interface SlowQuery {
  statement: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows?: number;
  /** In the change between two snapshots: figures taken in full when `new` or `reset`. */
  basis?: 'difference' | 'new' | 'reset';
}

/** The latest slow-query snapshot of an instance (refreshed on a schedule). */
export interface SlowQuerySnapshot {
  instanceRef: string;
  engine: string;
  /** When the statements were read; absent before the first successful refresh. */
  takenAt?: string;
  ageSeconds?: number;
  attemptedAt?: string;
  /** Why the last refresh failed. */
  error?: string;
  /** Set when `statements` are the change since this earlier snapshot. */
  comparedTo?: string;
  statements: SlowQuery[];
}

/** Talks to the sql backend (`/api/sql`). */
export class SqlClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  private async request<T>(
    path: string,
    init?: { method: string; body?: unknown },
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('sql');
    const res = await this.fetchApi.fetch(`${base}${path}`, {
      method: init?.method ?? 'GET',
      headers:
        init?.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : undefined,
      body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  instances() {
    return this.request<{ instances: Instance[] }>('/instances').then(
      r => r.instances,
    );
  }
  check(instanceRef: string) {
    return this.request<InstanceCheck>('/instances/check', {
      method: 'POST',
      body: { instanceRef },
    });
  }
  /** Lets the console and review use a privileged read login (admins; audited). */
  setException(instanceRef: string, reason: string) {
    return this.request<unknown>('/instances/exception', {
      method: 'PUT',
      body: { instanceRef, reason },
    });
  }
  clearException(instanceRef: string) {
    return this.request<unknown>(
      `/instances/exception?instance=${encodeURIComponent(instanceRef)}`,
      { method: 'DELETE' },
    );
  }
  rules() {
    return this.request<{ rules: Rule[] }>('/rules').then(r => r.rules);
  }
  /** The review rules and the console's deny-list. */
  ruleBook() {
    return this.request<{ rules: Rule[]; console: ConsoleDenyList }>('/rules');
  }
  review(body: { instanceRef: string; database?: string; sql: string }) {
    return this.request<Review>('/review', { method: 'POST', body });
  }
  changes() {
    return this.request<{ changes: ChangeSummary[] }>('/changes').then(
      r => r.changes,
    );
  }
  /** Pending changes whose current approval level the caller may decide. */
  changesWaitingForMe() {
    return this.request<{ changes: ChangeSummary[] }>(
      '/changes?waiting=me',
    ).then(r => r.changes);
  }
  change(id: string) {
    return this.request<Change>(`/changes/${id}`);
  }
  submit(body: {
    instanceRef: string;
    database?: string;
    title: string;
    sql: string;
    reason?: string;
  }) {
    return this.request<Change>('/changes', { method: 'POST', body });
  }
  decide(id: string, decision: 'approved' | 'rejected', comment?: string) {
    return this.request<Change>(`/changes/${id}/decision`, {
      method: 'POST',
      body: { decision, comment },
    });
  }
  /**
   * Runs the change now, or at `at` (ISO time) through the scheduler; on a
   * production instance `confirm` is its name, typed by the person.
   */
  execute(id: string, at?: string, confirm?: string) {
    return this.request<Change>(`/changes/${id}/execute`, {
      method: 'POST',
      body: { ...(at ? { at } : {}), ...(confirm ? { confirm } : {}) },
    });
  }
  /** Cancels the schedule of a scheduled change (approved again). */
  unschedule(id: string) {
    return this.request<Change>(`/changes/${id}/unschedule`, {
      method: 'POST',
    });
  }
  rollback(id: string, confirm?: string) {
    return this.request<{ change: Change; restoredRows: number }>(
      `/changes/${id}/rollback`,
      { method: 'POST', body: confirm ? { confirm } : {} },
    );
  }
  query(body: { instanceRef: string; database?: string; sql: string }) {
    return this.request<QueryResult>('/query', { method: 'POST', body });
  }
  /** The same masked, logged query as a CSV file. */
  async exportCsv(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<Blob> {
    const base = await this.discoveryApi.getBaseUrl('sql');
    const res = await this.fetchApi.fetch(`${base}/query/export`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.blob();
  }
  /** The latest snapshot, or with `takenAt` a kept earlier one. */
  /**
   * The latest snapshot, or the one at `takenAt`; with `compareTo` (the time
   * of an earlier kept snapshot, PostgreSQL only) the change since that one.
   */
  slowQueries(instance: string, takenAt?: string, compareTo?: string) {
    const at = takenAt ? `&takenAt=${encodeURIComponent(takenAt)}` : '';
    const since = compareTo
      ? `&compareTo=${encodeURIComponent(compareTo)}`
      : '';
    return this.request<SlowQuerySnapshot>(
      `/slow-queries?instance=${encodeURIComponent(instance)}${at}${since}`,
    );
  }
  /** When the kept snapshots were taken (ISO), newest first. */
  slowQueryHistory(instance: string) {
    return this.request<{ snapshots: { takenAt: string }[] }>(
      `/slow-queries/history?instance=${encodeURIComponent(instance)}`,
    ).then(r => r.snapshots.map(s => s.takenAt));
  }
  /** Reads the instance's slow queries now (audited). */
  refreshSlowQueries(instanceRef: string) {
    return this.request<SlowQuerySnapshot>('/slow-queries/refresh', {
      method: 'POST',
      body: { instanceRef },
    });
  }
}
