import { DatabaseService } from '@backstage/backend-plugin-api';
import { createLeases, type Leases } from '@opsdeck/plugin-opsdeck-node';
import {
  DeliveryCounts,
  HighlightLanguage,
  REPORT_FIGURE_KEYS,
  ReportFigureKey,
  ReportRecordPage,
  ReportSection,
  ReportState,
} from '@opsdeck/plugin-report-common';
import { Knex } from 'knex';
import {
  Delivery,
  DeliveryState,
  GeneratedReport,
  StoredReport,
} from '../model';
import { applyReportMigrations } from './migrations';
import { ReportStore } from './ReportStore';

type ReportRow = {
  id: number;
  scope: string;
  scope_title: string;
  week_start: string;
  timezone: string;
  period_from: number | string;
  period_to: number | string;
  state: ReportState;
  figures: string;
  sections: string;
  highlights_text: string | null;
  highlights_lang: string | null;
  highlights_by: string | null;
  highlights_at: number | string | null;
  subject: string | null;
  html: string | null;
  created_at: number | string;
  send_at: number | string;
  sent_at: number | string | null;
  claim_token: string | null;
  claimed_at: number | string | null;
};

type RecordRow = {
  report_id: number;
  figure: string;
  seq: number;
  source: string;
  record_id: string;
  at: number | string;
  actor: string | null;
  target: string | null;
  label: string;
  path: string | null;
};

type DeliveryRow = {
  report_id: number;
  recipient: string;
  user_ref: string | null;
  state: DeliveryState;
  attempts: number;
  message_id: string | null;
  error: string | null;
  updated_at: number | string;
};

const SUMMARY_COLUMNS = [
  'id',
  'scope',
  'scope_title',
  'week_start',
  'timezone',
  'period_from',
  'period_to',
  'state',
  'figures',
  'sections',
  'highlights_text',
  'highlights_lang',
  'highlights_by',
  'highlights_at',
  'created_at',
  'send_at',
  'sent_at',
];

function cut(s: string | undefined, n: number): string | null {
  if (s === undefined) return null;
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function toReport(row: ReportRow): StoredReport {
  const report: StoredReport = {
    id: Number(row.id),
    scope: row.scope,
    scopeTitle: row.scope_title,
    weekStart: row.week_start,
    timezone: row.timezone,
    periodFrom: new Date(Number(row.period_from)),
    periodTo: new Date(Number(row.period_to)),
    state: row.state,
    figures: JSON.parse(row.figures),
    sections: JSON.parse(row.sections) as Record<ReportSection, boolean>,
    createdAt: new Date(Number(row.created_at)),
    sendAt: new Date(Number(row.send_at)),
  };
  if (row.highlights_text !== null && row.highlights_text !== undefined) {
    report.highlights = {
      text: row.highlights_text,
      lang: row.highlights_lang as HighlightLanguage,
      by: row.highlights_by ?? '',
      at: new Date(Number(row.highlights_at)),
    };
  }
  if (row.sent_at !== null && row.sent_at !== undefined) {
    report.sentAt = new Date(Number(row.sent_at));
  }
  if (row.subject) report.subject = row.subject;
  if (row.html) report.html = row.html;
  return report;
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    reportId: Number(row.report_id),
    recipient: row.recipient,
    userRef: row.user_ref ?? undefined,
    state: row.state,
    attempts: Number(row.attempts),
    messageId: row.message_id ?? undefined,
    error: row.error ?? undefined,
  };
}

/** {@link ReportStore} on the plugin's knex database (PostgreSQL or SQLite). */
/** Only a report being sent has a claim to renew or give up. */
const sending = (q: Knex.QueryBuilder) => q.where('state', 'sending');

export class DatabaseReportStore implements ReportStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseReportStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyReportMigrations(knex);
    }
    return new DatabaseReportStore(knex);
  }

  /**
   * A send's claim is a lease on the report row (opsdeck-node): the
   * `claim_token` of the replica sending it and `claimed_at`, renewed while
   * it sends; a claim not renewed for the sender's stale limit (by the
   * database's clock, never a replica's) is taken over.
   */
  private readonly claims: Leases;

  constructor(private readonly db: Knex) {
    this.claims = createLeases(db, {
      table: 'reports',
      rows: 'row-columns',
      columns: { name: 'id', holder: 'claim_token', time: 'claimed_at' },
      time: 'renewed-at',
    });
  }

  async insert(
    report: GeneratedReport,
    times: { createdAt: Date; sendAt: Date },
  ): Promise<number | undefined> {
    const figures = Object.fromEntries(
      REPORT_FIGURE_KEYS.map(k => [k, report.records[k].length]),
    );
    return this.db.transaction(async trx => {
      const inserted = await trx('reports')
        .insert({
          scope: report.scope,
          scope_title: cut(report.scopeTitle, 255),
          week_start: report.weekStart,
          timezone: report.timezone,
          period_from: report.periodFrom.getTime(),
          period_to: report.periodTo.getTime(),
          state: 'draft',
          figures: JSON.stringify(figures),
          sections: JSON.stringify(report.sections),
          created_at: times.createdAt.getTime(),
          send_at: times.sendAt.getTime(),
        })
        .onConflict(['scope', 'week_start'])
        .ignore()
        .returning('id');
      if (inserted.length === 0) return undefined;
      const first = inserted[0] as { id: number } | number;
      const id = Number(typeof first === 'object' ? first.id : first);
      const rows: RecordRow[] = [];
      for (const figure of REPORT_FIGURE_KEYS) {
        report.records[figure].forEach((r, seq) =>
          rows.push({
            report_id: id,
            figure,
            seq,
            source: r.source,
            record_id: r.id,
            at: Date.parse(r.at),
            actor: cut(r.actor, 512),
            target: cut(r.target, 1024),
            label: cut(r.label, 512)!,
            path: cut(r.path, 1024),
          }),
        );
      }
      if (rows.length) {
        await trx.batchInsert('report_records', rows, 400);
      }
      return id;
    });
  }

  async scopesOfWeek(weekStart: string): Promise<string[]> {
    const rows = await this.db<ReportRow>('reports')
      .where('week_start', weekStart)
      .select('scope');
    return rows.map(r => r.scope);
  }

  async list(query: {
    scope?: string;
    weekStart?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: StoredReport[]; total: number }> {
    const q = this.db<ReportRow>('reports');
    if (query.scope) q.where('scope', query.scope);
    if (query.weekStart) q.where('week_start', query.weekStart);
    const [{ count }] = await q.clone().count({ count: '*' });
    const rows = await q
      .select(...SUMMARY_COLUMNS)
      .orderBy([
        { column: 'week_start', order: 'desc' },
        { column: 'scope', order: 'asc' },
      ])
      .limit(query.limit)
      .offset(query.offset);
    return { items: rows.map(toReport), total: Number(count) };
  }

  async get(id: number): Promise<StoredReport | undefined> {
    const row = await this.db<ReportRow>('reports').where('id', id).first();
    return row ? toReport(row) : undefined;
  }

  async sent(
    scopes: string[] | undefined,
    limit: number,
  ): Promise<StoredReport[]> {
    const q = this.db<ReportRow>('reports').where('state', 'sent');
    if (scopes) q.whereIn('scope', scopes);
    const rows = await q
      .select(...SUMMARY_COLUMNS, 'subject', 'html')
      .orderBy('sent_at', 'desc')
      .limit(limit);
    return rows.map(toReport);
  }

  async records(
    id: number,
    figure: ReportFigureKey,
    page: { limit: number; offset: number },
  ): Promise<ReportRecordPage> {
    const q = this.db<RecordRow>('report_records').where({
      report_id: id,
      figure,
    });
    const [{ count }] = await q.clone().count({ count: '*' });
    const rows = await q
      .select('*')
      .orderBy('seq')
      .limit(page.limit)
      .offset(page.offset);
    return {
      total: Number(count),
      items: rows.map(r => ({
        source: r.source as 'audit' | 'job-run',
        id: r.record_id,
        at: new Date(Number(r.at)).toISOString(),
        actor: r.actor ?? undefined,
        target: r.target ?? undefined,
        label: r.label,
        path: r.path ?? undefined,
      })),
    };
  }

  async setHighlights(
    id: number,
    h: { text: string; lang: HighlightLanguage; by: string; at: Date },
  ): Promise<boolean> {
    const n = await this.db<ReportRow>('reports')
      .where({ id, state: 'draft' })
      .update({
        highlights_text: h.text,
        highlights_lang: h.lang,
        highlights_by: h.by,
        highlights_at: h.at.getTime(),
      });
    return n === 1;
  }

  async due(now: Date, staleMs: number): Promise<number[]> {
    const rows = await this.db<ReportRow>('reports')
      .where(q =>
        q
          .where(d =>
            d.where('state', 'draft').andWhere('send_at', '<=', now.getTime()),
          )
          .orWhere(s =>
            s
              .where('state', 'sending')
              .andWhere(this.claims.whereFree(staleMs)),
          ),
      )
      .orderBy('id')
      .select('id');
    return rows.map(r => Number(r.id));
  }

  async claim(
    id: number,
    token: string,
    now: Date,
    staleMs: number,
    force: boolean,
  ): Promise<boolean> {
    // free (never claimed, released, or stale) and a draft that is due, or
    // a send abandoned: drafts never carry a claim, so this is the same as
    // "due draft, or a send whose claim is stale"
    return this.claims.tryAcquire(id, token, staleMs, {
      where: q =>
        q
          .where(d => {
            d.where('state', 'draft');
            if (!force) d.andWhere('send_at', '<=', now.getTime());
          })
          .orWhere('state', 'sending'),
      set: { state: 'sending' },
    });
  }

  async setRendered(id: number, subject: string, html: string): Promise<void> {
    await this.db<ReportRow>('reports')
      .where('id', id)
      .whereNull('html')
      .update({ subject: cut(subject, 512), html });
  }

  async beginDelivery(
    d: Omit<Delivery, 'state' | 'attempts'>,
    now: Date,
  ): Promise<Delivery | undefined> {
    const inserted = await this.db<DeliveryRow>('report_deliveries')
      .insert({
        report_id: d.reportId,
        recipient: d.recipient,
        user_ref: d.userRef ?? null,
        state: 'sending',
        attempts: 1,
        message_id: d.messageId ?? null,
        updated_at: now.getTime(),
      })
      .onConflict(['report_id', 'recipient'])
      .ignore()
      .returning('recipient');
    if (inserted.length > 0) return undefined;
    const row = await this.db<DeliveryRow>('report_deliveries')
      .where({ report_id: d.reportId, recipient: d.recipient })
      .first();
    return toDelivery(row!);
  }

  async retryDelivery(
    reportId: number,
    recipient: string,
    now: Date,
  ): Promise<boolean> {
    const n = await this.db<DeliveryRow>('report_deliveries')
      .where({ report_id: reportId, recipient, state: 'failed' })
      .update({
        state: 'sending',
        attempts: this.db.raw('attempts + 1'),
        updated_at: now.getTime(),
      });
    return n === 1;
  }

  async finishDelivery(
    reportId: number,
    recipient: string,
    state: Exclude<DeliveryState, 'sending'>,
    now: Date,
    error?: string,
  ): Promise<void> {
    await this.db<DeliveryRow>('report_deliveries')
      .where({ report_id: reportId, recipient })
      .update({ state, error: cut(error, 2000), updated_at: now.getTime() });
  }

  async deliveries(id: number): Promise<Delivery[]> {
    const rows = await this.db<DeliveryRow>('report_deliveries')
      .where('report_id', id)
      .orderBy('recipient');
    return rows.map(toDelivery);
  }

  async deliveryCounts(id: number): Promise<DeliveryCounts> {
    const rows = await this.db<DeliveryRow>('report_deliveries')
      .where('report_id', id)
      .groupBy('state')
      .select('state')
      .count({ n: '*' });
    const counts: DeliveryCounts = {
      sent: 0,
      failed: 0,
      uncertain: 0,
      pending: 0,
    };
    for (const r of rows as unknown as {
      state: DeliveryState;
      n: number | string;
    }[]) {
      if (r.state === 'sending') counts.pending += Number(r.n);
      else counts[r.state] += Number(r.n);
    }
    return counts;
  }

  touch(id: number, token: string): Promise<boolean> {
    // renewed-at: the ttl is the next taker's, none is needed to renew
    return this.claims.renew(id, token, 0, { where: sending });
  }

  markSent(id: number, token: string, now: Date): Promise<boolean> {
    return this.claims.release(id, token, {
      where: sending,
      set: { state: 'sent', sent_at: now.getTime() },
    });
  }

  async release(id: number, token: string): Promise<void> {
    await this.claims.release(id, token, { where: sending });
  }

  async setFeedToken(
    userRef: string,
    tokenHash: string,
    now: Date,
  ): Promise<void> {
    await this.db('report_feed_tokens')
      .insert({
        user_ref: userRef,
        token_hash: tokenHash,
        created_at: now.getTime(),
      })
      .onConflict('user_ref')
      .merge({
        token_hash: tokenHash,
        created_at: now.getTime(),
        last_used_at: null,
      });
  }

  async feedTokenUser(
    tokenHash: string,
    now: Date,
  ): Promise<string | undefined> {
    const row = await this.db('report_feed_tokens')
      .where('token_hash', tokenHash)
      .first();
    if (!row) return undefined;
    await this.db('report_feed_tokens')
      .where('token_hash', tokenHash)
      .update({ last_used_at: now.getTime() });
    return row.user_ref as string;
  }

  async hasFeedToken(userRef: string): Promise<boolean> {
    return Boolean(
      await this.db('report_feed_tokens').where('user_ref', userRef).first(),
    );
  }

  async deleteFeedToken(userRef: string): Promise<boolean> {
    return (
      (await this.db('report_feed_tokens')
        .where('user_ref', userRef)
        .delete()) > 0
    );
  }
}
