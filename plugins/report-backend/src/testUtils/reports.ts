import {
  REPORT_FIGURE_KEYS,
  REPORT_SECTIONS,
  ReportFigureKey,
  ReportRecord,
  ReportSection,
} from '@opsdeck/plugin-report-common';
import { GeneratedReport } from '../model';

/** A generated report with `counts` records per figure. */
export function generated(
  scope: string,
  weekStart = '2026-03-02',
  counts: Partial<Record<ReportFigureKey, number>> = {},
): GeneratedReport {
  const records = Object.fromEntries(
    REPORT_FIGURE_KEYS.map(k => [
      k,
      Array.from(
        { length: counts[k] ?? 0 },
        (_, i): ReportRecord => ({
          source: 'audit',
          id: String(i + 1),
          at: new Date(
            Date.parse(`${weekStart}T00:00:00Z`) + i * 1000,
          ).toISOString(),
          actor: 'user:default/alice',
          target: `t${i}`,
          label: `${k} #${i + 1}`,
          path: '/sql',
        }),
      ),
    ]),
  ) as unknown as Record<ReportFigureKey, ReportRecord[]>;
  return {
    scope,
    scopeTitle: scope === 'org' ? 'opsdeck' : scope.split('/')[1],
    weekStart,
    timezone: 'UTC',
    periodFrom: new Date(`${weekStart}T00:00:00Z`),
    periodTo: new Date(Date.parse(`${weekStart}T00:00:00Z`) + 7 * 86_400_000),
    records,
    sections: Object.fromEntries(
      REPORT_SECTIONS.map(s => [s, s !== 'alerts' && s !== 'builds']),
    ) as Record<ReportSection, boolean>,
  };
}
