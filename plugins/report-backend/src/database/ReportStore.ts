import type {
  DeliveryCounts,
  HighlightLanguage,
  ReportFigureKey,
  ReportRecordPage,
} from '@opsdeck/plugin-report-common';
import {
  Delivery,
  DeliveryState,
  GeneratedReport,
  StoredReport,
} from '../model';

/** Storage of reports, their records, mail deliveries and feed tokens. */
export interface ReportStore {
  /**
   * Stores a generated report with its records in one transaction, as a
   * draft to be sent at `sendAt`. Returns undefined (and stores nothing) when
   * the scope already has a report for that week: the unique key
   * (scope, week_start) makes generation idempotent across replicas and
   * restarts.
   */
  insert(
    report: GeneratedReport,
    times: { createdAt: Date; sendAt: Date },
  ): Promise<number | undefined>;
  /** Scopes that have a report for the week. */
  scopesOfWeek(weekStart: string): Promise<string[]>;
  /** Reports newest week first (then scope), paged by id. */
  list(query: {
    scope?: string;
    weekStart?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: StoredReport[]; total: number }>;
  get(id: number): Promise<StoredReport | undefined>;
  /** The newest sent reports of the scopes (for the feed). */
  sent(scopes: string[] | undefined, limit: number): Promise<StoredReport[]>;
  records(
    id: number,
    figure: ReportFigureKey,
    page: { limit: number; offset: number },
  ): Promise<ReportRecordPage>;

  /** Sets a draft's highlights; false when the report is no longer a draft. */
  setHighlights(
    id: number,
    highlights: { text: string; lang: HighlightLanguage; by: string; at: Date },
  ): Promise<boolean>;

  /**
   * Ids of reports whose sending is due: drafts whose sendAt is before `now`,
   * sends whose claim was not renewed for `staleMs` (by the database's clock).
   */
  due(now: Date, staleMs: number): Promise<number[]>;
  /**
   * One atomic statement: takes a report for sending (draft whose sendAt is
   * before `now`, or any draft when `force`, or a send whose claim was not
   * renewed for `staleMs`, judged by the database's clock so that replicas'
   * clocks do not matter). Exactly one caller wins.
   */
  claim(
    id: number,
    token: string,
    now: Date,
    staleMs: number,
    force: boolean,
  ): Promise<boolean>;
  /** Keeps the mail body: set once, the first time (a resumed send reuses it). */
  setRendered(id: number, subject: string, html: string): Promise<void>;
  /**
   * Records that a mail is about to be sent; the first call for an address
   * wins. Returns undefined when it did, else the delivery that exists.
   */
  beginDelivery(
    d: Omit<Delivery, 'state' | 'attempts'>,
    now: Date,
  ): Promise<Delivery | undefined>;
  /** Retries a failed delivery: back to `sending`, one more attempt. */
  retryDelivery(
    reportId: number,
    recipient: string,
    now: Date,
  ): Promise<boolean>;
  finishDelivery(
    reportId: number,
    recipient: string,
    state: Exclude<DeliveryState, 'sending'>,
    now: Date,
    error?: string,
  ): Promise<void>;
  deliveries(id: number): Promise<Delivery[]>;
  deliveryCounts(id: number): Promise<DeliveryCounts>;
  /** Renews the claim while sending; false when another replica took it over. */
  touch(id: number, token: string): Promise<boolean>;
  /** Marks the report sent (while still holding the claim). */
  markSent(id: number, token: string, now: Date): Promise<boolean>;
  /** Gives the claim up, so a later check retries (failed mails left). */
  release(id: number, token: string): Promise<void>;

  /** Sets the user's feed token hash (replacing any earlier one). */
  setFeedToken(userRef: string, tokenHash: string, now: Date): Promise<void>;
  /** The user a feed token hash belongs to, noting its use. */
  feedTokenUser(tokenHash: string, now: Date): Promise<string | undefined>;
  hasFeedToken(userRef: string): Promise<boolean>;
  deleteFeedToken(userRef: string): Promise<boolean>;
}
