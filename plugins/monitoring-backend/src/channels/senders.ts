import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import type nodemailer from 'nodemailer';
import type { ChannelConfig, SmtpConfig } from '../config';
import type { RenderedAlert } from './render';
import { dingtalkSign, feishuSign, webhookSign } from './sign';

/** What one channel delivery needs. */
export interface SendContext {
  channel: ChannelConfig;
  event: AlertEvent;
  message: RenderedAlert;
  /** The signing secret from the vault, when the channel has one. */
  secret?: string;
  timeoutMs: number;
  now: Date;
  smtp?: SmtpConfig;
  notifications?: NotificationService;
  /** Link to the alert in opsdeck. */
  link?: string;
  /** Escalation step (1 escalation, 2… reminders); absent: the alert itself. */
  step?: number;
  /** Backstage notifications: the groups to notify instead of the alert's owner. */
  recipients?: string[];
}

/** A delivery failure whose message is safe to store and show (no URL, no secret). */
export class DeliveryError extends Error {}

async function postJson(
  url: string,
  body: unknown,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; json?: any }> {
  const text = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const cause = (e as any)?.cause?.code ?? (e as Error).name;
    throw new DeliveryError(`request failed (${String(cause).slice(0, 60)})`);
  }
  const raw = await res.text().catch(() => '');
  let json: any;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status < 200 || res.status >= 300) {
    throw new DeliveryError(`HTTP ${res.status}`);
  }
  return { status: res.status, json };
}

/** Robots answer 200 with an error code in the body. */
function robotAnswer(json: any, codeKeys: string[]) {
  for (const key of codeKeys) {
    const code = json?.[key];
    if (code !== undefined && code !== 0) {
      const msg = String(json?.errmsg ?? json?.msg ?? json?.StatusMessage ?? '')
        .replace(/[^\w .:,-]/g, '')
        .slice(0, 200);
      throw new DeliveryError(`robot answered ${key} ${code}: ${msg}`);
    }
  }
}

function markdown(message: RenderedAlert, mentions: string[] = []): string {
  return [
    `### ${message.title}`,
    ...message.lines.map(l => `- ${l}`),
    ...(mentions.length ? [mentions.map(m => `@${m}`).join(' ')] : []),
  ].join('\n');
}

/** What a message body is built from (no secret, no clock). */
export type MessageContext = Pick<
  SendContext,
  'channel' | 'event' | 'message' | 'link'
>;

const webhookBody = (ctx: MessageContext) => ({
  alert: ctx.event,
  title: ctx.message.title,
});

/**
 * The text each channel type puts in its message body: what the senders
 * below send, and what a preview shows (one renderer for both).
 */
export const MESSAGE_TEXT: Record<
  ChannelConfig['type'],
  (ctx: MessageContext) => string
> = {
  dingtalk: ctx => markdown(ctx.message, ctx.channel.mobiles),
  wecom: ctx => [ctx.message.title, ...ctx.message.lines].join('\n'),
  feishu: ctx => ctx.message.lines.join('\n'),
  webhook: ctx => JSON.stringify(webhookBody(ctx), null, 2),
  email: ctx =>
    [...ctx.message.lines, ...(ctx.link ? [ctx.link] : [])].join('\n'),
  notifications: ctx => ctx.message.lines.join('\n'),
};

async function dingtalk(ctx: SendContext) {
  let url = ctx.channel.url!;
  if (ctx.secret !== undefined) {
    const ts = ctx.now.getTime();
    const sign = encodeURIComponent(dingtalkSign(ts, ctx.secret));
    url += `${url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${sign}`;
  }
  const { json } = await postJson(
    url,
    {
      msgtype: 'markdown',
      markdown: {
        title: ctx.message.title,
        text: MESSAGE_TEXT.dingtalk(ctx),
      },
      at: { atMobiles: ctx.channel.mobiles, isAtAll: false },
    },
    ctx.timeoutMs,
  );
  robotAnswer(json, ['errcode']);
}

async function wecom(ctx: SendContext) {
  const { json } = await postJson(
    ctx.channel.url!,
    {
      msgtype: 'text',
      text: {
        content: MESSAGE_TEXT.wecom(ctx),
        mentioned_mobile_list: ctx.channel.mobiles,
      },
    },
    ctx.timeoutMs,
  );
  robotAnswer(json, ['errcode']);
}

async function feishu(ctx: SendContext) {
  const body: Record<string, unknown> = {
    msg_type: 'interactive',
    card: {
      header: {
        title: { tag: 'plain_text', content: ctx.message.title },
        template: ctx.message.firing ? 'red' : 'green',
      },
      elements: [
        {
          tag: 'div',
          text: { tag: 'plain_text', content: MESSAGE_TEXT.feishu(ctx) },
        },
      ],
    },
  };
  if (ctx.secret !== undefined) {
    const ts = Math.floor(ctx.now.getTime() / 1000);
    body.timestamp = String(ts);
    body.sign = feishuSign(ts, ctx.secret);
  }
  const { json } = await postJson(ctx.channel.url!, body, ctx.timeoutMs);
  robotAnswer(json, ['code', 'StatusCode']);
}

async function webhook(ctx: SendContext) {
  const body = webhookBody(ctx);
  const headers: Record<string, string> = {};
  if (ctx.secret !== undefined) {
    headers['x-opsdeck-signature'] = webhookSign(
      JSON.stringify(body),
      ctx.secret,
    );
  }
  await postJson(ctx.channel.url!, body, ctx.timeoutMs, headers);
}

async function email(ctx: SendContext) {
  if (!ctx.smtp) throw new DeliveryError('opsdeck.monitoring.smtp is not set');
  if (ctx.channel.to.length === 0) {
    throw new DeliveryError('the channel has no addresses (to)');
  }
  const s = ctx.smtp;
  // required at first use: start-up does not pay for the mailer (#15)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mailer = require('nodemailer') as typeof nodemailer;
  const transporter = mailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: s.requireTLS && !s.secure,
    auth: s.username ? { user: s.username, pass: s.password ?? '' } : undefined,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    await transporter.sendMail({
      from: s.from,
      to: ctx.channel.to,
      subject: ctx.message.title,
      text: MESSAGE_TEXT.email(ctx),
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  } catch (e) {
    throw new DeliveryError(
      `SMTP: ${String((e as any)?.code ?? (e as Error).message).slice(0, 200)}`,
    );
  }
}

async function notifications(ctx: SendContext) {
  if (!ctx.notifications) {
    throw new DeliveryError('the notifications backend is not installed');
  }
  // the alert's owner group; else the groups the channel serves
  // (an escalation: the groups it is escalated to)
  const owners = ctx.event.owner ? [ctx.event.owner] : ctx.channel.owners;
  const recipients = ctx.recipients?.length ? ctx.recipients : owners;
  if (recipients.length === 0) {
    throw new DeliveryError('the alert has no owner to notify');
  }
  await ctx.notifications.send({
    recipients: {
      type: 'entity',
      entityRef: recipients,
    },
    payload: {
      title: ctx.message.title,
      description: MESSAGE_TEXT.notifications(ctx),
      severity: ctx.message.firing ? 'high' : 'normal',
      topic: `opsdeck.monitoring.${ctx.event.fingerprint}`,
      // each escalation step is a notification of its own
      scope: `${ctx.event.fingerprint}:${ctx.event.startsAt}${
        ctx.step ? `:step${ctx.step}` : ''
      }`,
      ...(ctx.link ? { link: ctx.link } : {}),
    },
  });
}

/** The sender of each channel type. */
export const SENDERS: Record<
  ChannelConfig['type'],
  (ctx: SendContext) => Promise<void>
> = {
  dingtalk,
  wecom,
  feishu,
  webhook,
  email,
  notifications,
};
