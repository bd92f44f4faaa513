import type {
  AuditEvent,
  AuditEventFacets,
  AuditEventPage,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';

/** A completed audit event about to be stored. */
export interface NewAuditEvent {
  occurredAt: Date;
  plugin: string;
  action: string;
  severity: string;
  status: 'succeeded' | 'failed';
  /** success, denied (a refused permission) or failed. */
  outcome: 'success' | 'denied' | 'failed';
  /** The person (user entity ref), else the service that acted. */
  actor: string;
  /** What acted for the actor, outermost first (`plugin:scaffolder`, `schedule:<id>`). */
  via: string[];
  target: string;
  requestId?: string;
  ip?: string;
  error?: string;
  /** Already free of secrets; serialized and capped by the store. */
  meta: Record<string, unknown>;
}

/** Largest page a list call returns. */
export const MAX_PAGE_SIZE = 200;
/** Page size when the caller does not ask for one. */
export const DEFAULT_PAGE_SIZE = 50;

/** Append-only storage of audit events. */
export interface AuditStore {
  /** Stores one event and returns its id. */
  insert(event: NewAuditEvent): Promise<number>;
  /** Events matching the filters, newest first, paged by id. */
  list(query: AuditEventQuery): Promise<AuditEventPage>;
  /** One event, or undefined when there is none with that id. */
  get(id: number): Promise<AuditEvent | undefined>;
  /** Distinct plugins and actions in the log. */
  facets(): Promise<AuditEventFacets>;
}
