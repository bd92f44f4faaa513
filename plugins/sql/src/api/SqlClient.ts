import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { DefaultApiClient } from '../schema/openapi.client.generated';

// The sql spec answers its operations with an open object (`Any`), so the
// answer shapes the pages read are declared here; requests are typed by the
// generated client.

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

/**
 * Talks to the sql backend (`/api/sql`) through the generated client
 * (schema/openapi.client.generated.ts); it builds no URL and sends no request
 * itself.
 */
export class SqlClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  async instances(): Promise<Instance[]> {
    const r = await this.api.listInstances();
    return r.instances as Instance[];
  }
  async check(instanceRef: string): Promise<InstanceCheck> {
    return (await this.api.checkInstance({
      body: { instanceRef },
    })) as unknown as InstanceCheck;
  }
  /** Lets the console and review use a privileged read login (admins; audited). */
  setException(instanceRef: string, reason: string): Promise<unknown> {
    return this.api.setInstanceException({ body: { instanceRef, reason } });
  }
  clearException(instanceRef: string): Promise<unknown> {
    return this.api.clearInstanceException({
      query: { instance: instanceRef },
    });
  }
  async rules(): Promise<Rule[]> {
    return (await this.ruleBook()).rules;
  }
  /** The review rules and the console's deny-list. */
  async ruleBook(): Promise<{ rules: Rule[]; console: ConsoleDenyList }> {
    return (await this.api.listRules()) as unknown as {
      rules: Rule[];
      console: ConsoleDenyList;
    };
  }
  async review(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<Review> {
    return (await this.api.review({ body })) as unknown as Review;
  }
  async changes(): Promise<ChangeSummary[]> {
    const r = await this.api.listChanges();
    return r.changes as ChangeSummary[];
  }
  /** Pending changes whose current approval level the caller may decide. */
  async changesWaitingForMe(): Promise<ChangeSummary[]> {
    const r = await this.api.listChanges({ query: { waiting: 'me' } });
    return r.changes as ChangeSummary[];
  }
  async change(id: string): Promise<Change> {
    return (await this.api.getChange({ path: { id } })) as unknown as Change;
  }
  async submit(body: {
    instanceRef: string;
    database?: string;
    title: string;
    sql: string;
    reason?: string;
  }): Promise<Change> {
    return (await this.api.submitChange({ body })) as unknown as Change;
  }
  async decide(
    id: string,
    decision: 'approved' | 'rejected',
    comment?: string,
  ): Promise<Change> {
    return (await this.api.decideChange({
      path: { id },
      body: { decision, comment },
    })) as unknown as Change;
  }
  /**
   * Runs the change now, or at `at` (ISO time) through the scheduler; on a
   * production instance `confirm` is its name, typed by the person.
   */
  async execute(id: string, at?: string, confirm?: string): Promise<Change> {
    return (await this.api.executeChange({
      path: { id },
      body: { ...(at ? { at } : {}), ...(confirm ? { confirm } : {}) },
    })) as unknown as Change;
  }
  /** Cancels the schedule of a scheduled change (approved again). */
  async unschedule(id: string): Promise<Change> {
    return (await this.api.unscheduleChange({
      path: { id },
    })) as unknown as Change;
  }
  async rollback(
    id: string,
    confirm?: string,
  ): Promise<{ change: Change; restoredRows: number }> {
    return (await this.api.rollbackChange({
      path: { id },
      body: confirm ? { confirm } : {},
    })) as unknown as { change: Change; restoredRows: number };
  }
  async query(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<QueryResult> {
    return (await this.api.query({ body })) as unknown as QueryResult;
  }
  /** The same masked, logged query as a CSV file. */
  async exportCsv(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<Blob> {
    return (await this.api.exportQuery({ body })).blob();
  }
  /**
   * The latest snapshot, or the one at `takenAt`; with `compareTo` (the time
   * of an earlier kept snapshot, PostgreSQL only) the change since that one.
   */
  async slowQueries(
    instance: string,
    takenAt?: string,
    compareTo?: string,
  ): Promise<SlowQuerySnapshot> {
    return (await this.api.slowQueries({
      query: { instance, takenAt, compareTo },
    })) as unknown as SlowQuerySnapshot;
  }
  /** When the kept snapshots were taken (ISO), newest first. */
  async slowQueryHistory(instance: string): Promise<string[]> {
    const r = await this.api.slowQueryHistory({ query: { instance } });
    return (r.snapshots as { takenAt: string }[]).map(s => s.takenAt);
  }
  /** Reads the instance's slow queries now (audited). */
  async refreshSlowQueries(instanceRef: string): Promise<SlowQuerySnapshot> {
    return (await this.api.refreshSlowQueries({
      body: { instanceRef },
    })) as unknown as SlowQuerySnapshot;
  }
}
