import type {
  HighlightLanguage,
  ReportFigureKey,
  ReportRecord,
  ReportScope,
  ReportSection,
  ReportState,
} from '@opsdeck/plugin-report-common';

/** A report computed for one scope of one week, not stored yet. */
export interface GeneratedReport {
  scope: ReportScope;
  scopeTitle: string;
  weekStart: string;
  timezone: string;
  periodFrom: Date;
  periodTo: Date;
  /** Records per figure, in time order; a figure's value is their number. */
  records: Record<ReportFigureKey, ReportRecord[]>;
  sections: Record<ReportSection, boolean>;
}

/** A stored report, as the store reads it. */
export interface StoredReport {
  id: number;
  scope: ReportScope;
  scopeTitle: string;
  weekStart: string;
  timezone: string;
  periodFrom: Date;
  periodTo: Date;
  state: ReportState;
  figures: Record<ReportFigureKey, number>;
  sections: Record<ReportSection, boolean>;
  highlights?: {
    text: string;
    lang: HighlightLanguage;
    by: string;
    at: Date;
  };
  subject?: string;
  html?: string;
  createdAt: Date;
  sendAt: Date;
  sentAt?: Date;
}

/** One mail of a report to one address. */
export type DeliveryState = 'sending' | 'sent' | 'failed' | 'uncertain';

export interface Delivery {
  reportId: number;
  recipient: string;
  userRef?: string;
  state: DeliveryState;
  attempts: number;
  messageId?: string;
  error?: string;
}

/** Who a report goes to: a person with a mail address. */
export interface Recipient {
  userRef: string;
  email: string;
}

/** A team: a catalog group whose reports opsdeck writes. */
export interface Team {
  ref: string;
  title: string;
  /** Direct members (user entity refs). */
  members: string[];
}
