import { LoggerService } from '@backstage/backend-plugin-api';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import { createHash, randomUUID } from 'node:crypto';
import { ReportStore } from '../database/ReportStore';
import { Recipient, StoredReport } from '../model';
import {
  renderReportHtml,
  renderReportText,
  reportSubject,
} from '../render/mail';

/** One mail to one person. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
}

/** Hands a mail to SMTP; resolves once the server accepted it. */
export type MailTransport = (mail: OutgoingMail) => Promise<void>;

/** A mail that failed this many times is given up. */
export const MAX_ATTEMPTS = 3;
/** A send whose replica went silent this long is taken over. */
export const STALE_CLAIM_MS = 15 * 60 * 1000;

/** What one send did. */
export interface SendOutcome {
  reportId: number;
  /** False when another replica holds the report or it was sent already. */
  claimed: boolean;
  sent: number;
  failed: number;
  /** Left from an interrupted send: not sent again. */
  uncertain: number;
  /** True when the report is now `sent`. */
  done: boolean;
}

/**
 * Publishes and mails a report, at most once per address:
 *
 * 1. claims the report (one atomic UPDATE: a draft that is due, or a send
 *    abandoned for {@link STALE_CLAIM_MS}); the loser does nothing;
 * 2. renders the mail and keeps it with the report (a resumed send mails
 *    the same text) — crash point `report.send.rendered`;
 * 3. for each recipient, records the delivery as `sending` before handing
 *    it to SMTP and as `sent` after — crash point `report.send.mailed`
 *    after each mail. A delivery found `sending` when a send resumes was
 *    interrupted between the two: SMTP may have taken it, so it is marked
 *    `uncertain` and not sent again (a report is never mailed twice);
 * 4. marks the report `sent`. Mails SMTP refused stay `failed` and are
 *    retried by later checks, up to {@link MAX_ATTEMPTS}.
 */
export class ReportSender {
  constructor(
    private readonly deps: {
      store: ReportStore;
      /** Undefined without SMTP: reports are published, not mailed. */
      transport?: MailTransport;
      recipients: (report: StoredReport) => Promise<Recipient[]>;
      baseUrl: string;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  async send(
    reportId: number,
    options: { force?: boolean } = {},
  ): Promise<SendOutcome> {
    const { store } = this.deps;
    const token = randomUUID();
    const outcome: SendOutcome = {
      reportId,
      claimed: false,
      sent: 0,
      failed: 0,
      uncertain: 0,
      done: false,
    };
    const now = this.now();
    if (
      !(await store.claim(
        reportId,
        token,
        now,
        STALE_CLAIM_MS,
        Boolean(options.force),
      ))
    ) {
      return outcome;
    }
    outcome.claimed = true;
    let report = (await store.get(reportId))!;
    if (!report.html) {
      const subject = reportSubject(report);
      await store.setRendered(
        reportId,
        subject,
        renderReportHtml(report, this.deps.baseUrl),
      );
      report = (await store.get(reportId))!;
    }
    crashPoint('report.send.rendered');

    if (this.deps.transport) {
      const text = renderReportText(report, this.deps.baseUrl);
      for (const recipient of await this.deps.recipients(report)) {
        const result = await this.deliver(report, recipient, text);
        if (result === 'sent') outcome.sent += 1;
        else if (result === 'failed') outcome.failed += 1;
        else if (result === 'uncertain') outcome.uncertain += 1;
        if (!(await store.touch(reportId, token))) {
          this.deps.logger.warn(
            `Report ${reportId}: another replica took the send over`,
          );
          return outcome;
        }
      }
    }

    const retryable = (await store.deliveries(reportId)).some(
      d => d.state === 'failed' && d.attempts < MAX_ATTEMPTS,
    );
    if (retryable) {
      await store.release(reportId, token);
    } else {
      outcome.done = await store.markSent(reportId, token, this.now());
    }
    this.deps.logger.info(
      `Report ${reportId} (${report.scope}, week ${report.weekStart}): ${
        outcome.sent
      } mailed, ${outcome.failed} failed, ${outcome.uncertain} uncertain${
        outcome.done ? ', sent' : ', will retry'
      }`,
    );
    return outcome;
  }

  private async deliver(
    report: StoredReport,
    recipient: Recipient,
    text: string,
  ): Promise<'sent' | 'failed' | 'uncertain' | 'skipped'> {
    const { store } = this.deps;
    const messageId = `<report-${report.id}-${createHash('sha256')
      .update(recipient.email.toLocaleLowerCase('en-US'))
      .digest('hex')
      .slice(0, 16)}@opsdeck>`;
    const existing = await store.beginDelivery(
      {
        reportId: report.id,
        recipient: recipient.email,
        userRef: recipient.userRef,
        messageId,
      },
      this.now(),
    );
    if (existing) {
      if (existing.state === 'sending') {
        // interrupted between handing it to SMTP and recording the answer
        await store.finishDelivery(
          report.id,
          recipient.email,
          'uncertain',
          this.now(),
          'Interrupted while sending; not sent again',
        );
        return 'uncertain';
      }
      if (
        existing.state !== 'failed' ||
        existing.attempts >= MAX_ATTEMPTS ||
        !(await store.retryDelivery(report.id, recipient.email, this.now()))
      ) {
        return 'skipped';
      }
    }
    try {
      await this.deps.transport!({
        to: recipient.email,
        subject: report.subject ?? reportSubject(report),
        html: report.html!,
        text,
        messageId,
      });
    } catch (error) {
      await store.finishDelivery(
        report.id,
        recipient.email,
        'failed',
        this.now(),
        error instanceof Error ? error.message : String(error),
      );
      return 'failed';
    }
    crashPoint('report.send.mailed');
    await store.finishDelivery(report.id, recipient.email, 'sent', this.now());
    return 'sent';
  }
}
