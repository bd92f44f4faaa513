import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message a robot receiver accepted. */
export interface RobotMessage {
  robot: 'dingtalk' | 'wecom' | 'feishu' | 'webhook';
  body: any;
  headers: http.IncomingHttpHeaders;
  query: URLSearchParams;
}

/**
 * Local DingTalk-, WeCom-, Feishu-compatible robots and a generic webhook on
 * one loopback HTTP server: /dingtalk/robot/send, /wecom/webhook/send,
 * /feishu/hook/<token>, /webhook. The DingTalk and Feishu robots check the
 * signature the way the real ones document it and answer an error code
 * (HTTP 200) when it is wrong or missing, as they do. `failNext` makes the
 * next request of a robot fail with HTTP 500.
 */
export async function startRobotReceivers(secrets: {
  dingtalk: string;
  feishu: string;
}) {
  const received: RobotMessage[] = [];
  const rejected: RobotMessage[] = [];
  const failNext = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const robot =
        (['dingtalk', 'wecom', 'feishu'] as const).find(r =>
          url.pathname.startsWith(`/${r}`),
        ) ?? 'webhook';
      const message: RobotMessage = {
        robot,
        body,
        headers: req.headers,
        query: url.searchParams,
      };
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (failNext.delete(robot)) {
        rejected.push(message);
        answer(500, { error: 'down' });
        return;
      }
      if (robot === 'dingtalk') {
        const ts = url.searchParams.get('timestamp') ?? '';
        const expected = createHmac('sha256', secrets.dingtalk)
          .update(`${ts}\n${secrets.dingtalk}`)
          .digest('base64');
        if (url.searchParams.get('sign') !== expected) {
          rejected.push(message);
          answer(200, { errcode: 310000, errmsg: 'sign not match' });
          return;
        }
        received.push(message);
        answer(200, { errcode: 0, errmsg: 'ok' });
        return;
      }
      if (robot === 'feishu') {
        const expected = createHmac(
          'sha256',
          `${body.timestamp}\n${secrets.feishu}`,
        )
          .update('')
          .digest('base64');
        if (body.sign !== expected) {
          rejected.push(message);
          answer(200, { code: 19021, msg: 'sign match fail' });
          return;
        }
        received.push(message);
        answer(200, { code: 0, msg: 'success' });
        return;
      }
      received.push(message);
      answer(200, robot === 'wecom' ? { errcode: 0, errmsg: 'ok' } : {});
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urls: {
      dingtalk: `${base}/dingtalk/robot/send?access_token=t0k`,
      wecom: `${base}/wecom/webhook/send?key=k3y`,
      feishu: `${base}/feishu/hook/f00`,
      webhook: `${base}/webhook`,
    },
    received,
    rejected,
    failNext,
    of: (robot: RobotMessage['robot']) =>
      received.filter(m => m.robot === robot),
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** A mail the test SMTP server accepted. */
export interface ReceivedMail {
  to: string[];
  raw: string;
}

/** A real SMTP server (npm smtp-server) on a free loopback port that keeps what it receives. */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', c => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map(r => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
