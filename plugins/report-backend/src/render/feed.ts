import { StoredReport } from '../model';
import { esc } from './escape';
import { reportPath, reportSubject } from './mail';

/** An Atom feed (RFC 4287) of sent reports, newest first. */
export function renderAtomFeed(options: {
  reports: StoredReport[];
  baseUrl: string;
  selfUrl: string;
  title: string;
}): string {
  const { reports, baseUrl } = options;
  const updated = (reports[0]?.sentAt ?? new Date(0)).toISOString();
  const entries = reports.map(r => {
    const url = `${baseUrl}${reportPath(r.id)}`;
    return [
      '<entry>',
      `<id>${esc(url)}</id>`,
      `<title>${esc(r.subject ?? reportSubject(r))}</title>`,
      `<link rel="alternate" type="text/html" href="${esc(url)}"/>`,
      `<updated>${(r.sentAt ?? r.createdAt).toISOString()}</updated>`,
      `<author><name>opsdeck</name></author>`,
      `<category term="${esc(r.scope)}" label="${esc(r.scopeTitle)}"/>`,
      `<content type="html">${esc(r.html ?? '')}</content>`,
      '</entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${esc(`${baseUrl}/report`)}</id>`,
    `<title>${esc(options.title)}</title>`,
    `<link rel="self" type="application/atom+xml" href="${esc(
      options.selfUrl,
    )}"/>`,
    `<link rel="alternate" type="text/html" href="${esc(
      `${baseUrl}/report`,
    )}"/>`,
    `<updated>${updated}</updated>`,
    ...entries,
    '</feed>',
  ].join('\n');
}
