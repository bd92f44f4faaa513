import {
  REPORT_FIGURES,
  REPORT_SECTIONS,
  ReportFigureKey,
} from '@opsdeck/plugin-report-common';
import { StoredReport } from '../model';
import { esc } from './escape';
import { FIGURE_LABELS, NOT_CONNECTED, SECTION_LABELS } from './labels';

/** Portal path of a report, and of the records one figure counts. */
export function reportPath(id: number, figure?: ReportFigureKey): string {
  return figure ? `/report/${id}/figures/${figure}` : `/report/${id}`;
}

export function reportSubject(report: StoredReport): string {
  return `[opsdeck] Weekly report ${report.weekStart}: ${report.scopeTitle} / 技术周报`;
}

/**
 * The report as an HTML mail (also the feed entry's content): bilingual
 * labels, every figure a link to the records it counts, the editors'
 * highlights first. Everything from data is escaped.
 */
export function renderReportHtml(
  report: StoredReport,
  baseUrl: string,
): string {
  const link = (path: string) => esc(`${baseUrl}${path}`);
  const week = `${report.weekStart} (${esc(report.timezone)})`;
  const parts: string[] = [];
  parts.push(
    '<!doctype html><html><head><meta charset="utf-8"></head>',
    '<body style="font-family:sans-serif;color:#222;max-width:720px">',
    `<h1 style="font-size:20px">${esc(
      report.scopeTitle,
    )}: weekly report · 技术周报</h1>`,
    `<p>Week of ${week} · 周报周期 ${esc(
      report.periodFrom.toISOString(),
    )} – ${esc(report.periodTo.toISOString())}</p>`,
  );
  if (report.highlights?.text) {
    const lang = report.highlights.lang === 'zh-CN' ? 'zh-CN' : 'en';
    parts.push(
      `<h2 style="font-size:16px">Highlights · 本周要点</h2>`,
      `<div lang="${lang}" style="white-space:pre-wrap;border-left:4px solid #36baa2;padding-left:12px">${esc(
        report.highlights.text,
      )}</div>`,
    );
  }
  for (const section of REPORT_SECTIONS) {
    const [en, zh] = SECTION_LABELS[section];
    parts.push(`<h2 style="font-size:16px">${esc(en)} · ${esc(zh)}</h2>`);
    if (!report.sections[section]) {
      parts.push(
        `<p style="color:#777">${NOT_CONNECTED.map(esc).join(' · ')}</p>`,
      );
      continue;
    }
    parts.push('<table style="border-collapse:collapse">');
    for (const key of Object.keys(REPORT_FIGURES) as ReportFigureKey[]) {
      if (REPORT_FIGURES[key] !== section) continue;
      const [fen, fzh] = FIGURE_LABELS[key];
      const value = report.figures[key] ?? 0;
      parts.push(
        `<tr><td style="padding:2px 16px 2px 0">${esc(fen)} · ${esc(fzh)}</td>`,
        `<td style="text-align:right"><a href="${link(
          reportPath(report.id, key),
        )}" data-figure="${key}">${value}</a></td></tr>`,
      );
    }
    parts.push('</table>');
  }
  parts.push(
    `<p><a href="${link(
      reportPath(report.id),
    )}">Open in opsdeck · 在 opsdeck 中查看</a></p>`,
    '</body></html>',
  );
  return parts.join('\n');
}

/** Plain-text alternative of the mail. */
export function renderReportText(
  report: StoredReport,
  baseUrl: string,
): string {
  const lines = [
    `${report.scopeTitle}: weekly report / 技术周报, week of ${report.weekStart} (${report.timezone})`,
    '',
  ];
  if (report.highlights?.text) {
    lines.push('Highlights / 本周要点:', report.highlights.text, '');
  }
  for (const section of REPORT_SECTIONS) {
    const [en, zh] = SECTION_LABELS[section];
    lines.push(`${en} / ${zh}`);
    if (!report.sections[section]) {
      lines.push(`  ${NOT_CONNECTED.join(' / ')}`, '');
      continue;
    }
    for (const key of Object.keys(REPORT_FIGURES) as ReportFigureKey[]) {
      if (REPORT_FIGURES[key] !== section) continue;
      lines.push(
        `  ${FIGURE_LABELS[key][0]}: ${
          report.figures[key] ?? 0
        }  ${baseUrl}${reportPath(report.id, key)}`,
      );
    }
    lines.push('');
  }
  lines.push(`${baseUrl}${reportPath(report.id)}`);
  return lines.join('\n');
}
