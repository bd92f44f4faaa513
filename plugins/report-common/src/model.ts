/**
 * The weekly tech report (技术周报): one report per week per scope, written
 * from opsdeck's own data. Shared by the report backend and frontend.
 */

/** `org` for the whole organization, or a catalog group ref (a team). */
export type ReportScope = string;

/** The organization-wide scope. */
export const ORG_SCOPE = 'org';

/**
 * - `draft`: generated; editors may add highlights until it is sent;
 * - `sending`: being mailed (a replica holds it);
 * - `sent`: published (page, feed) and mailed.
 */
export type ReportState = 'draft' | 'sending' | 'sent';

/** Languages of the highlights paragraph. */
export const HIGHLIGHT_LANGUAGES = ['en', 'zh-CN'] as const;
export type HighlightLanguage = (typeof HIGHLIGHT_LANGUAGES)[number];

/** Sections of a report, in the order they are shown. */
export const REPORT_SECTIONS = [
  'changes',
  'access',
  'tickets',
  'docs',
  'alerts',
  'builds',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/**
 * Every figure a report can carry, with its section. A figure counts records
 * (audit events or job runs) of the report's week; its records are kept
 * with the report, so each figure links to exactly what it counts.
 */
export const REPORT_FIGURES = {
  /** SQL changes executed (sql-change-execute, succeeded). */
  'sql.executed': 'changes',
  /** SQL changes whose execution failed. */
  'sql.failed': 'changes',
  /** SQL changes rolled back. */
  'sql.rolledBack': 'changes',
  /** Job runs started (manual, scheduled, re-runs). */
  'jobs.runs': 'changes',
  /** Job runs that failed or were interrupted. */
  'jobs.failed': 'changes',
  /** File distributions started. */
  'files.distributions': 'changes',
  /** File distributions refused or failed to start. */
  'files.failed': 'changes',
  /** Hosts registered through the CMDB. */
  'hosts.registered': 'changes',
  /** Hosts decommissioned through the CMDB. */
  'hosts.decommissioned': 'changes',
  /** Bastion sessions opened to prod hosts. */
  'bastion.prodSessions': 'access',
  /** Bastion access grants created. */
  'bastion.grants': 'access',
  /** Tickets opened. */
  'tickets.opened': 'tickets',
  /** Tickets closed (done, failed, rejected or expired). */
  'tickets.closed': 'tickets',
  /** Docs sites published for the first time. */
  'docs.new': 'docs',
  /** Docs sites updated (not new this week). */
  'docs.updated': 'docs',
} as const satisfies Record<string, ReportSection>;
export type ReportFigureKey = keyof typeof REPORT_FIGURES;
export const REPORT_FIGURE_KEYS = Object.keys(
  REPORT_FIGURES,
) as ReportFigureKey[];

/** Sections whose data source is not part of this installation. */
export interface SectionStatus {
  section: ReportSection;
  /** False when nothing in this installation produces the section's data. */
  connected: boolean;
}

/** One figure of a report. */
export interface ReportFigure {
  key: ReportFigureKey;
  section: ReportSection;
  value: number;
}

/** A report in lists (history, feed). */
export interface ReportSummary {
  id: number;
  scope: ReportScope;
  /** Display name of the scope: the group's title, or the organization. */
  scopeTitle: string;
  /** Monday the week starts, in the report's time zone (YYYY-MM-DD). */
  weekStart: string;
  timezone: string;
  /** The week: [periodFrom, periodTo), ISO 8601. */
  periodFrom: string;
  periodTo: string;
  state: ReportState;
  createdAt: string;
  /** When the report is (or was to be) sent. */
  sendAt: string;
  sentAt?: string;
}

/** Highlights an editor wrote for the report before it was sent. */
export interface ReportHighlights {
  text: string;
  lang: HighlightLanguage;
  /** User entity ref of the editor. */
  by: string;
  at: string;
}

/** Counts of a report's mail deliveries by state. */
export interface DeliveryCounts {
  sent: number;
  failed: number;
  /** Interrupted while being handed to SMTP: not sent again (never twice). */
  uncertain: number;
  pending: number;
}

/** A report with its figures. */
export interface ReportDetail extends ReportSummary {
  figures: ReportFigure[];
  sections: SectionStatus[];
  highlights?: ReportHighlights;
  deliveries: DeliveryCounts;
  /** Whether the caller may write its highlights and send it now (a draft only). */
  canEdit: boolean;
}

/** One record a figure counts. */
export interface ReportRecord {
  /** `audit` (an audit event) or `job-run`. */
  source: 'audit' | 'job-run';
  /** Audit event id or job run id. */
  id: string;
  at: string;
  /** Who did it (user ref), when known. */
  actor?: string;
  /** What it was done to: an entity ref, a change or ticket number. */
  target?: string;
  /** A short description, e.g. `SQL change #12`. */
  label: string;
  /** Path in the portal where the record can be opened, when there is one. */
  path?: string;
}

/** A page of a figure's records, in time order. */
export interface ReportRecordPage {
  items: ReportRecord[];
  total: number;
}
