/** Outcome of an audited action. */
export type AuditEventStatus = 'initiated' | 'succeeded' | 'failed';

/** How an audited action ended: done, refused (permission denied, HTTP 403) or failed. */
export type AuditOutcome = 'success' | 'denied' | 'failed';

/** One row of the audit log as the audit API returns it. */
export interface AuditEvent {
  /** Monotonic id; newer events have larger ids. */
  id: number;
  /** ISO 8601 time the event was recorded. */
  time: string;
  /** Plugin that reported the event, e.g. `catalog`, `local-auth`. */
  plugin: string;
  /** What happened, e.g. `entity-mutate`, `account-login`. */
  action: string;
  /** `low`, `medium`, `high` or `critical`, as the reporting plugin rated it. */
  severity: string;
  status: AuditEventStatus;
  /** success, denied or failed. */
  outcome: AuditOutcome;
  /** Who: the person (user entity ref); a service only when no person was behind it. */
  actor: string;
  /**
   * What acted for the actor, outermost first: `plugin:scaffolder` (a
   * template step), `plugin:bastion` (a terminal session), `schedule:<id>`.
   */
  via?: string[];
  /** What it was done to: an entity ref or `<kind>:<id>` (`job-run:42`). */
  target: string;
  /** The HTTP request that caused it, when there was one. */
  requestId?: string;
  ip?: string;
  /** The error message when status is `failed`. */
  error?: string;
  /** Extra details reported with the event (secrets are never reported). */
  meta: Record<string, unknown>;
}

/** A page of audit events, newest first; pass `nextCursor` back as `before`. */
export interface AuditEventPage {
  items: AuditEvent[];
  nextCursor?: number;
}

/** Distinct values present in the audit log, for the filter selects. */
export interface AuditEventFacets {
  /** Plugins that have reported events, sorted. */
  plugins: string[];
  /** Actions (auditor event ids) that have been reported, sorted. */
  actions: string[];
}

/** Filters and paging of `GET /api/audit/events` (all optional). */
export interface AuditEventQuery {
  /** Exact actor, e.g. `user:default/alice`. */
  actor?: string;
  /** Exact action (auditor event id). */
  action?: string;
  /** Exact plugin id. */
  plugin?: string;
  /** Exact target; a trailing `*` matches every target with that prefix. */
  target?: string;
  status?: 'succeeded' | 'failed';
  outcome?: AuditOutcome;
  /** ISO 8601; events at or after this time. */
  from?: string;
  /** ISO 8601; events before this time. */
  to?: string;
  /** Cursor: only events with an id below this one (from `nextCursor`). */
  before?: number;
  /** Page size, 1 to 200 (default 50). */
  limit?: number;
}
