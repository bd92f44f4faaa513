import type nodemailer from 'nodemailer';
import { SmtpConfig } from '../config';
import { MailTransport } from './ReportSender';

/**
 * Mails through the configured SMTP server (nodemailer): one connection per
 * report send, STARTTLS required unless the server is on loopback (or the
 * config says otherwise), so report mails do not cross a network in clear.
 */
export function smtpTransport(config: SmtpConfig): MailTransport {
  // required at first use: start-up does not pay for the mailer (#15)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mailer = require('nodemailer') as typeof nodemailer;
  const transporter = mailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls && !config.secure,
    auth: config.username
      ? { user: config.username, pass: config.password ?? '' }
      : undefined,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return async mail => {
    await transporter.sendMail({
      from: config.from,
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  };
}
