import {
  entityCatalogPath,
  type AuditEvent,
} from '@opsdeck/plugin-opsdeck-common';
import type {
  ReportFigureKey,
  ReportRecord,
} from '@opsdeck/plugin-report-common';

/**
 * A record of a figure, and whom it counts for in team reports: the person
 * who did it (`actor`), or the team that owns what changed (`owner`, for
 * docs, which are built by the TechDocs backend, not by a person).
 */
export interface ClassifiedRecord {
  figure: ReportFigureKey;
  record: ReportRecord;
  /** User ref (actor) or group ref (owner) the record is attributed to. */
  attributedTo?: string;
  attribution: 'actor' | 'owner';
}

/**
 * The audit events the report reads (plugin and action). Everything else in
 * the audit log is skipped by the query itself.
 */
export const REPORT_AUDIT_ACTIONS = [
  'sql-change-execute',
  'sql-change-rollback',
  'file-distribute',
  'host-register',
  'host-decommission',
  'session-open',
  'grant-create',
  'ticket-submit',
  'ticket-state',
  'ticket-decide',
  'ticket-expire',
  'docs-build',
];

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function nameOf(entityRef: string | undefined): string | undefined {
  return entityRef?.split('/').pop();
}

/** The catalog page of a target that names its kind (`kind:[namespace/]name`). */
function entityPath(entityRef: string | undefined): string | undefined {
  return entityRef?.includes(':') ? entityCatalogPath(entityRef) : undefined;
}

function docsPath(entityRef: string): string | undefined {
  const p = entityPath(entityRef);
  return p?.replace(/^\/catalog\//, '/docs/');
}

/** Context the classification needs besides the event. */
export interface ClassifyContext {
  /** True when the entity (a host's ref) is in a prod environment. */
  isProd(entityRef: string): boolean;
}

/**
 * What an audit event counts for in the report: none, or one figure, with
 * the record the report keeps for it. The rules are the figure definitions
 * (docs/knowledge-base.md lists them):
 *
 * - sql-change-execute, succeeded: `sql.executed`, or `sql.failed` when the
 *   change's own status came back `failed` (a refused request is not an
 *   execution);
 * - sql-change-rollback, succeeded: `sql.rolledBack`;
 * - files file-distribute: `files.distributions` (succeeded), `files.failed`;
 * - host-register / host-decommission, succeeded: `hosts.*`;
 * - bastion session-open, succeeded, on a prod host: `bastion.prodSessions`;
 * - bastion grant-create, succeeded: `bastion.grants`;
 * - ticket-submit that created a ticket: `tickets.opened`; a ticket moved to
 *   done or failed, rejected, or expired: `tickets.closed`;
 * - techdocs docs-build, succeeded: `docs.new` / `docs.updated` (one record
 *   per site and week, see ReportGenerator).
 */
export function classifyAuditEvent(
  event: AuditEvent,
  ctx: ClassifyContext,
): ClassifiedRecord | undefined {
  const meta = event.meta ?? {};
  const ok = event.status === 'succeeded';
  const actor = event.actor || undefined;
  const base = {
    source: 'audit' as const,
    id: String(event.id),
    at: event.time,
    actor,
  };
  const byActor = (
    figure: ReportFigureKey,
    record: Omit<ReportRecord, 'source' | 'id' | 'at' | 'actor'>,
  ): ClassifiedRecord => ({
    figure,
    record: { ...base, ...record },
    attributedTo: actor,
    attribution: 'actor',
  });

  switch (`${event.plugin}/${event.action}`) {
    case 'sql/sql-change-execute': {
      if (!ok) return undefined;
      const change = str(meta.changeId);
      const instance = str(meta.instanceRef);
      return byActor(meta.status === 'failed' ? 'sql.failed' : 'sql.executed', {
        target: instance ?? `sql-change:${change}`,
        label: `SQL change #${change}${
          instance ? ` on ${nameOf(instance)}` : ''
        }`,
        path: '/sql',
      });
    }
    case 'sql/sql-change-rollback': {
      if (!ok) return undefined;
      const change = str(meta.changeId);
      return byActor('sql.rolledBack', {
        target: `sql-change:${change}`,
        label: `SQL change #${change} rolled back`,
        path: '/sql',
      });
    }
    case 'files/file-distribute': {
      const name = str(meta.name) ?? `file ${str(meta.fileId) ?? '?'}`;
      const where = str(meta.targetPath);
      return byActor(ok ? 'files.distributions' : 'files.failed', {
        target: str(meta.distributionId) ?? str(meta.fileId),
        label: `${name}${where ? ` → ${where}` : ''}`,
        path: '/files',
      });
    }
    case 'cmdb/host-register':
    case 'cmdb/host-decommission': {
      if (!ok) return undefined;
      const ref = str(meta.entityRef) ?? (event.target || undefined);
      return byActor(
        event.action === 'host-register'
          ? 'hosts.registered'
          : 'hosts.decommissioned',
        { target: ref, label: nameOf(ref) ?? '?', path: entityPath(ref) },
      );
    }
    case 'bastion/session-open': {
      const hostRef = str(meta.hostRef)?.toLocaleLowerCase('en-US');
      if (!ok || !hostRef || !ctx.isProd(hostRef)) return undefined;
      const session = str(meta.sessionId);
      return byActor('bastion.prodSessions', {
        target: hostRef,
        label: `${str(meta.host) ?? nameOf(hostRef)} as ${
          str(meta.loginUser) ?? '?'
        }`,
        path: session
          ? `/bastion/sessions/${encodeURIComponent(session)}`
          : '/bastion',
      });
    }
    case 'bastion/grant-create': {
      if (!ok) return undefined;
      return byActor('bastion.grants', {
        target: str(meta.subject),
        label: `${str(meta.subject) ?? '?'} as ${str(meta.loginUser) ?? '?'}`,
        path: '/bastion',
      });
    }
    case 'tickets/ticket-submit': {
      if (!ok || meta.created !== true) return undefined;
      return ticket('tickets.opened', meta, byActor);
    }
    case 'tickets/ticket-state': {
      if (!ok || !['done', 'failed'].includes(str(meta.to) ?? '')) {
        return undefined;
      }
      return ticket('tickets.closed', meta, byActor);
    }
    case 'tickets/ticket-decide': {
      if (!ok || meta.to !== 'rejected') return undefined;
      return ticket('tickets.closed', meta, byActor);
    }
    case 'tickets/ticket-expire': {
      if (!ok) return undefined;
      return ticket('tickets.closed', meta, byActor);
    }
    case 'techdocs/docs-build': {
      const entityRef = str(meta.entityRef)?.toLocaleLowerCase('en-US');
      if (!ok || !entityRef) return undefined;
      return {
        figure: meta.new === true ? 'docs.new' : 'docs.updated',
        record: {
          ...base,
          actor: undefined,
          target: entityRef,
          label: str(meta.siteName) ?? nameOf(entityRef) ?? entityRef,
          path: docsPath(entityRef),
        },
        attributedTo: str(meta.owner)?.toLocaleLowerCase('en-US'),
        attribution: 'owner',
      };
    }
    default:
      return undefined;
  }
}

function ticket(
  figure: ReportFigureKey,
  meta: Record<string, unknown>,
  byActor: (
    figure: ReportFigureKey,
    record: Omit<ReportRecord, 'source' | 'id' | 'at' | 'actor'>,
  ) => ClassifiedRecord,
): ClassifiedRecord {
  const id = str(meta.ticketId);
  const to = str(meta.to);
  return byActor(figure, {
    target: `ticket:${id}`,
    label: `Ticket #${id}${
      figure === 'tickets.closed' && to ? ` (${to})` : ''
    }`,
    path: id ? `/tickets/${encodeURIComponent(id)}` : '/tickets',
  });
}
