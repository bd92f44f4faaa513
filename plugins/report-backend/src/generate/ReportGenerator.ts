import type { AuditLogService } from '@opsdeck/plugin-audit-node';
import {
  ORG_SCOPE,
  REPORT_FIGURE_KEYS,
  REPORT_SECTIONS,
  ReportFigureKey,
  ReportRecord,
  ReportSection,
} from '@opsdeck/plugin-report-common';
import { GeneratedReport } from '../model';
import { ReportWeek } from '../schedule/period';
import {
  ClassifiedRecord,
  classifyAuditEvent,
  REPORT_AUDIT_ACTIONS,
} from '../sources/auditRecords';
import { CatalogSnapshot } from '../sources/catalogData';
import { classifyJobRun, JobRunReader } from '../sources/jobRuns';

type Figures = Record<ReportFigureKey, ReportRecord[]>;

function emptyFigures(): Figures {
  return Object.fromEntries(
    REPORT_FIGURE_KEYS.map(k => [k, []]),
  ) as unknown as Figures;
}

const DOCS_FIGURES = new Set<ReportFigureKey>(['docs.new', 'docs.updated']);

/**
 * Writes the reports of one week from opsdeck's own data: one pass over the
 * week's audit events (only the actions the report counts) and the week's
 * job runs, each record added to the org-wide report and to the report of
 * every team it is attributed to (see {@link ClassifiedRecord}).
 */
export class ReportGenerator {
  constructor(
    private readonly deps: {
      auditLog: AuditLogService;
      readCatalog: () => Promise<CatalogSnapshot>;
      /** Absent when job runs are not read (opsdeck.report.sources.jobs: false). */
      readJobRuns?: JobRunReader;
    },
  ) {}

  /** The week's reports for the org and every team (or only `onlyScopes`). */
  async generate(
    week: ReportWeek,
    onlyScopes?: string[],
  ): Promise<GeneratedReport[]> {
    const catalog = await this.deps.readCatalog();
    const titles = new Map<string, string>([[ORG_SCOPE, catalog.orgTitle]]);
    for (const team of catalog.teams) titles.set(team.ref, team.title);
    const scopes = [...titles.keys()].filter(
      s => !onlyScopes || onlyScopes.includes(s),
    );
    const figures = new Map<string, Figures>(
      scopes.map(s => [s, emptyFigures()]),
    );
    // docs: one record per site and scope (a first build wins over updates)
    const docs = new Map<string, Map<string, ClassifiedRecord>>(
      scopes.map(s => [s, new Map()]),
    );

    const scopesOf = (c: ClassifiedRecord): string[] => {
      const out = [ORG_SCOPE];
      const who = c.attributedTo;
      if (who && c.attribution === 'actor') {
        out.push(...(catalog.memberships.get(who) ?? []));
      } else if (who) {
        out.push(who);
      }
      return out.filter(s => figures.has(s));
    };

    const add = (c: ClassifiedRecord) => {
      for (const scope of scopesOf(c)) {
        if (DOCS_FIGURES.has(c.figure)) {
          const sites = docs.get(scope)!;
          const key = c.record.target!;
          const seen = sites.get(key);
          if (
            !seen ||
            (seen.figure === 'docs.updated' && c.figure === 'docs.new')
          ) {
            sites.set(key, c);
          } else if (seen.figure === c.figure && c.figure === 'docs.updated') {
            sites.set(key, c); // the latest update of the week
          }
        } else {
          figures.get(scope)![c.figure].push(c.record);
        }
      }
    };

    await this.deps.auditLog.scan(
      { from: week.from, to: week.to, actions: REPORT_AUDIT_ACTIONS },
      events => {
        for (const event of events) {
          const c = classifyAuditEvent(event, {
            isProd: ref => catalog.prodEntities.has(ref),
          });
          if (c) add(c);
        }
      },
    );
    if (this.deps.readJobRuns) {
      for (const run of await this.deps.readJobRuns(week.from, week.to)) {
        classifyJobRun(run).forEach(add);
      }
    }

    const sections = Object.fromEntries(
      REPORT_SECTIONS.map(s => [s, s !== 'alerts' && s !== 'builds']),
    ) as Record<ReportSection, boolean>;

    return scopes.map(scope => {
      const records = figures.get(scope)!;
      for (const c of docs.get(scope)!.values())
        records[c.figure].push(c.record);
      for (const key of REPORT_FIGURE_KEYS) {
        records[key].sort(
          (a, b) =>
            Number(a.at > b.at) - Number(a.at < b.at) ||
            a.id.localeCompare(b.id),
        );
      }
      return {
        scope,
        scopeTitle: titles.get(scope)!,
        weekStart: week.weekStart,
        timezone: week.timezone,
        periodFrom: week.from,
        periodTo: week.to,
        records,
        sections,
      };
    });
  }
}
