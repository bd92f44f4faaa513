import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Change as SubmittedChange,
  type ChangeSummary,
  type ChangeWithRuns,
  type Instance,
  type InstanceCheck,
  type QueryResult,
  type Review,
  type Rule,
  type RuleList,
  type SlowQuerySnapshot,
} from '../schema/openapi.client.generated';

// The wire types are generated from the sql spec (plugins/sql-backend's
// schema/components/schemas.yaml); the pages import them from here.
export type {
  ChangeSummary,
  Finding,
  Instance,
  InstanceCheck,
  QueryResult,
  Review,
  Rule,
  Run,
  SlowQuery,
  SlowQuerySnapshot,
} from '../schema/openapi.client.generated';
export type { SubmittedChange };

/** A change with its review and statement runs, as its page shows it. */
export type Change = ChangeWithRuns;

/** The query console's deny-list, per engine (shown on the rules page). */
export type ConsoleDenyList = RuleList['console'];

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
    return (await this.api.listInstances()).instances;
  }
  async check(instanceRef: string): Promise<InstanceCheck> {
    return this.api.checkInstance({ body: { instanceRef } });
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
  async ruleBook(): Promise<RuleList> {
    return this.api.listRules();
  }
  async review(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<Review> {
    return this.api.review({ body });
  }
  async changes(): Promise<ChangeSummary[]> {
    return (await this.api.listChanges()).changes;
  }
  /** Pending changes whose current approval level the caller may decide. */
  async changesWaitingForMe(): Promise<ChangeSummary[]> {
    return (await this.api.listChanges({ query: { waiting: 'me' } })).changes;
  }
  async change(id: string): Promise<Change> {
    return this.api.getChange({ path: { id } });
  }
  async submit(body: {
    instanceRef: string;
    database?: string;
    title: string;
    sql: string;
    reason?: string;
  }): Promise<SubmittedChange> {
    return this.api.submitChange({ body });
  }
  async decide(
    id: string,
    decision: 'approved' | 'rejected',
    comment?: string,
  ): Promise<Change> {
    return this.api.decideChange({
      path: { id },
      body: { decision, comment },
    });
  }
  /**
   * Runs the change now, or at `at` (ISO time) through the scheduler; on a
   * production instance `confirm` is its name, typed by the person.
   */
  async execute(id: string, at?: string, confirm?: string): Promise<Change> {
    return this.api.executeChange({
      path: { id },
      body: { ...(at ? { at } : {}), ...(confirm ? { confirm } : {}) },
    });
  }
  /** Cancels the schedule of a scheduled change (approved again). */
  async unschedule(id: string): Promise<Change> {
    return this.api.unscheduleChange({ path: { id } });
  }
  async rollback(
    id: string,
    confirm?: string,
  ): Promise<{ change: Change; restoredRows: number }> {
    return this.api.rollbackChange({
      path: { id },
      body: confirm ? { confirm } : {},
    });
  }
  async query(body: {
    instanceRef: string;
    database?: string;
    sql: string;
  }): Promise<QueryResult> {
    return this.api.query({ body });
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
    return this.api.slowQueries({ query: { instance, takenAt, compareTo } });
  }
  /** When the kept snapshots were taken (ISO), newest first. */
  async slowQueryHistory(instance: string): Promise<string[]> {
    const r = await this.api.slowQueryHistory({ query: { instance } });
    return r.snapshots.map(s => s.takenAt);
  }
  /** Reads the instance's slow queries now (audited). */
  async refreshSlowQueries(instanceRef: string): Promise<SlowQuerySnapshot> {
    return this.api.refreshSlowQueries({ body: { instanceRef } });
  }
}
