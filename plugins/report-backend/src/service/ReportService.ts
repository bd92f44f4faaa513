import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import { audited, coded } from '@opsdeck/plugin-opsdeck-node';
import type { Request } from 'express';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  HighlightLanguage,
  ORG_SCOPE,
  REPORT_FIGURE_KEYS,
  REPORT_FIGURES,
  REPORT_SECTIONS,
  ReportDetail,
  ReportSummary,
} from '@opsdeck/plugin-report-common';
import { createHash, randomBytes } from 'node:crypto';
import { ReportConfig } from '../config';
import { ReportStore } from '../database/ReportStore';
import { ReportGenerator } from '../generate/ReportGenerator';
import { StoredReport } from '../model';
import {
  afterWeekEnd,
  lastCompleteWeek,
  ReportWeek,
  weekStarting,
} from '../schedule/period';
import {
  ReportSender,
  SendOutcome,
  STALE_CLAIM_MS,
} from '../send/ReportSender';

export function toSummary(r: StoredReport): ReportSummary {
  const s: ReportSummary = {
    id: r.id,
    scope: r.scope,
    scopeTitle: r.scopeTitle,
    weekStart: r.weekStart,
    timezone: r.timezone,
    periodFrom: r.periodFrom.toISOString(),
    periodTo: r.periodTo.toISOString(),
    state: r.state,
    createdAt: r.createdAt.toISOString(),
    sendAt: r.sendAt.toISOString(),
  };
  if (r.sentAt) s.sentAt = r.sentAt.toISOString();
  return s;
}

/** SHA-256 of a feed token, as stored. */
export function hashFeedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The weekly report's operations: the scheduled check (write the last
 * week's drafts when due, send what is due) and what the API asks for.
 */
export class ReportService {
  constructor(
    private readonly deps: {
      store: ReportStore;
      generator: ReportGenerator;
      sender: ReportSender;
      config: ReportConfig;
      auditor: AuditorService;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  get store(): ReportStore {
    return this.deps.store;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * When a week's drafts are sent: `sendHour` after the week ends, but never
   * before the editors had their draft window (sendHour - draftHour) from
   * the moment the drafts were written (a backend that was down on Monday).
   */
  sendAtFor(week: ReportWeek, createdAt: Date): Date {
    const { draftHour, sendHour } = this.deps.config;
    const scheduled = afterWeekEnd(week, sendHour).getTime();
    const window = (sendHour - draftHour) * 3_600_000;
    return new Date(Math.max(scheduled, createdAt.getTime() + window));
  }

  /**
   * Writes the drafts of `week` for every scope that has none. The org report
   * is stored last, so "the org report exists" means the week is done.
   */
  async writeWeek(week: ReportWeek): Promise<StoredReport[]> {
    const existing = new Set(
      await this.deps.store.scopesOfWeek(week.weekStart),
    );
    const generated = (await this.deps.generator.generate(week)).filter(
      r => !existing.has(r.scope),
    );
    // the org report last
    const isOrg = (r: { scope: string }) => (r.scope === ORG_SCOPE ? 1 : 0);
    generated.sort((a, b) => isOrg(a) - isOrg(b));
    const created: StoredReport[] = [];
    for (const report of generated) {
      const createdAt = this.now();
      const id = await this.deps.store.insert(report, {
        createdAt,
        sendAt: this.sendAtFor(week, createdAt),
      });
      if (id !== undefined) created.push((await this.deps.store.get(id))!);
    }
    return created;
  }

  /** The scheduled check; safe on every replica at once and after restarts. */
  async tick(): Promise<{ written: number; sent: SendOutcome[] }> {
    let written = 0;
    const now = this.now();
    const week = lastCompleteWeek(now, this.deps.config.timezone);
    if (
      now >= afterWeekEnd(week, this.deps.config.draftHour) &&
      !(await this.deps.store.scopesOfWeek(week.weekStart)).includes(ORG_SCOPE)
    ) {
      const created = await this.writeWeek(week);
      written = created.length;
      if (written) {
        await this.audit('report-generate', undefined, {
          weekStart: week.weekStart,
          reports: created.map(r => r.id),
        });
      }
    }
    const sent: SendOutcome[] = [];
    const due = await this.deps.store.due(this.now(), STALE_CLAIM_MS);
    for (const id of due) {
      const outcome = await this.deps.sender.send(id);
      if (outcome.claimed) {
        sent.push(outcome);
        if (outcome.done) await this.auditSend(outcome, undefined);
      }
    }
    return { written, sent };
  }

  /** Drafts for a past week, on demand (report.manage). */
  async generateWeek(
    weekStart: string,
    request: unknown,
  ): Promise<StoredReport[]> {
    const week = weekStarting(weekStart, this.deps.config.timezone);
    if (week.to > this.now()) {
      throw coded(
        new ConflictError(`The week of ${weekStart} has not ended yet`),
        'report-week-not-ended',
        { weekStart },
      );
    }
    return this.audited('report-generate', request, { weekStart }, async () =>
      this.writeWeek(week),
    );
  }

  async setHighlights(
    id: number,
    text: string,
    lang: HighlightLanguage,
    by: string,
    request: unknown,
  ): Promise<void> {
    await this.audited(
      'report-highlights',
      request,
      { reportId: id, lang, length: text.length },
      async () => {
        const ok = await this.deps.store.setHighlights(id, {
          text: text.trim(),
          lang,
          by,
          at: this.now(),
        });
        if (!ok) throw new ConflictError(`Report ${id} has been sent already`);
      },
    );
  }

  /** Sends a draft now (report.edit). */
  async sendNow(id: number, request: unknown): Promise<SendOutcome> {
    return this.audited('report-send', request, { reportId: id }, async () => {
      const outcome = await this.deps.sender.send(id, { force: true });
      if (!outcome.claimed) {
        throw new ConflictError(`Report ${id} is being sent or has been sent`);
      }
      return outcome;
    });
  }

  async detail(report: StoredReport, canEdit: boolean): Promise<ReportDetail> {
    const detail: ReportDetail = {
      canEdit: canEdit && report.state === 'draft',
      ...toSummary(report),
      figures: REPORT_FIGURE_KEYS.map(key => ({
        key,
        section: REPORT_FIGURES[key],
        value: report.figures[key] ?? 0,
      })),
      sections: REPORT_SECTIONS.map(section => ({
        section,
        connected: Boolean(report.sections[section]),
      })),
      deliveries: await this.deps.store.deliveryCounts(report.id),
    };
    if (report.highlights) {
      detail.highlights = {
        ...report.highlights,
        at: report.highlights.at.toISOString(),
      };
    }
    return {
      ...detail,
      canEdit: canEdit && report.state === 'draft',
    } as ReportDetail;
  }

  async get(id: number): Promise<StoredReport> {
    const report = await this.deps.store.get(id);
    if (!report) throw new NotFoundError(`No report ${id}`);
    return report;
  }

  /** A new feed token for the user (replacing theirs); returned once. */
  async createFeedToken(userRef: string, request: unknown): Promise<string> {
    return this.audited('report-feed-token-create', request, {}, async () => {
      const token = randomBytes(24).toString('base64url');
      await this.deps.store.setFeedToken(
        userRef,
        hashFeedToken(token),
        this.now(),
      );
      return token;
    });
  }

  async deleteFeedToken(userRef: string, request: unknown): Promise<void> {
    await this.audited('report-feed-token-revoke', request, {}, async () => {
      await this.deps.store.deleteFeedToken(userRef);
    });
  }

  private async auditSend(outcome: SendOutcome, request: unknown) {
    await this.audit('report-send', request, {
      reportId: outcome.reportId,
      mailed: outcome.sent,
      failed: outcome.failed,
      uncertain: outcome.uncertain,
    });
  }

  private async audit(eventId: string, request: unknown, meta: JsonObject) {
    await this.audited(eventId, request, meta, async () => undefined);
  }

  /** An audit event naming the person of `request` (the plugin on a schedule). */
  private audited<T>(
    eventId: string,
    request: unknown,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    let target = 'report-feed';
    if (typeof meta.weekStart === 'string') {
      target = `report-week:${meta.weekStart}`;
    }
    if (typeof meta.reportId === 'number') target = `report:${meta.reportId}`;
    return audited(
      this.deps.auditor,
      {
        eventId,
        request: request as Request<any, any, any, any, any> | undefined,
        target,
        meta,
      },
      fn,
    );
  }
}
