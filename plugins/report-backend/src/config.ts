import { Config } from '@backstage/config';
import { checkTimezone } from './schedule/period';

/** SMTP server the reports are mailed through. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when offered. */
  secure: boolean;
  /** Refuse to send without STARTTLS (default: true unless the host is loopback). */
  requireTls: boolean;
  from: string;
  username?: string;
  password?: string;
}

export interface ReportConfig {
  enabled: boolean;
  timezone: string;
  /** Hours after the week ends (Monday 00:00) at which drafts are written. */
  draftHour: number;
  /** Hours after the week ends at which drafts are sent. */
  sendHour: number;
  /** How often the scheduler checks what is due, in seconds. */
  checkSeconds: number;
  /** Catalog group types that get a team report. */
  teamTypes: string[];
  /** Who gets the org-wide report (group or user refs); every team member when empty. */
  orgRecipients: string[];
  /** Catalog environments that count as prod (bastion activity on prod). */
  prodEnvironments: string[];
  /** Whether job runs are read from the jobs plugin. */
  jobs: boolean;
  smtp?: SmtpConfig;
  /** Portal URL used in mails and the feed. */
  baseUrl: string;
}

/** Reads `opsdeck.report` (see config.d.ts). */
export function readReportConfig(config: Config): ReportConfig {
  const c = config.getOptionalConfig('opsdeck.report');
  const timezone = c?.getOptionalString('timezone') ?? 'UTC';
  checkTimezone(timezone);
  const draftHour = c?.getOptionalNumber('draftHour') ?? 0;
  const sendHour = c?.getOptionalNumber('sendHour') ?? 10;
  if (!(draftHour >= 0 && sendHour >= draftHour && sendHour < 168)) {
    throw new Error(
      'Invalid opsdeck.report: expected 0 <= draftHour <= sendHour < 168 (hours after Monday 00:00)',
    );
  }
  const s = c?.getOptionalConfig('smtp');
  let smtp: SmtpConfig | undefined;
  if (s) {
    const host = s.getString('host');
    const loopback = ['localhost', '127.0.0.1', '::1'].includes(host);
    smtp = {
      host,
      port: s.getOptionalNumber('port') ?? 25,
      secure: s.getOptionalBoolean('secure') ?? false,
      requireTls: s.getOptionalBoolean('requireTls') ?? !loopback,
      from: s.getString('from'),
      username: s.getOptionalString('username'),
      password: s.getOptionalString('password'),
    };
  }
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    timezone,
    draftHour,
    sendHour,
    checkSeconds: c?.getOptionalNumber('checkSeconds') ?? 300,
    teamTypes: c?.getOptionalStringArray('teamTypes') ?? ['team'],
    orgRecipients: c?.getOptionalStringArray('orgRecipients') ?? [],
    prodEnvironments: c?.getOptionalStringArray('prodEnvironments') ?? ['prod'],
    jobs: c?.getOptionalBoolean('sources.jobs') ?? true,
    smtp,
    baseUrl: config.getString('app.baseUrl').replace(/\/+$/, ''),
  };
}
