import { createHmac } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { WebhookTrigger } from '../model';
import { deliverWebhook, validateWebhook } from './webhook';

type Received = { headers: http.IncomingHttpHeaders; body: string };

/** A real local HTTP server answering each POST with the next status. */
async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise(r => server.close(r)),
  };
}

describe('deliverWebhook', () => {
  it('POSTs the JSON body signed with HMAC-SHA256', async () => {
    const receiver = await startReceiver([204]);
    try {
      const body = { runId: 'r1', status: 'failed', summary: { failed: 1 } };
      const delivery = await deliverWebhook({
        url: receiver.url,
        body,
        secret: 's3cret',
      });
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 1,
        responseStatus: 204,
      });
      expect(receiver.received).toHaveLength(1);
      const [got] = receiver.received;
      expect(JSON.parse(got.body)).toEqual(body);
      expect(got.headers['content-type']).toBe('application/json');
      const expected = `sha256=${createHmac('sha256', 's3cret')
        .update(got.body)
        .digest('hex')}`;
      expect(got.headers['x-opsdeck-signature']).toBe(expected);
    } finally {
      await receiver.close();
    }
  });

  it('retries a 500 and records the attempts', async () => {
    const receiver = await startReceiver([500, 502, 200]);
    try {
      const delivery = await deliverWebhook({
        url: receiver.url,
        body: { runId: 'r2' },
        retries: 2,
        backoffMs: 10,
      });
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 3,
        responseStatus: 200,
      });
      expect(receiver.received).toHaveLength(3);
      // unsigned without a secret, same body every attempt
      expect(receiver.received[0].headers['x-opsdeck-signature']).toBe(
        undefined,
      );
      expect(new Set(receiver.received.map(r => r.body)).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the retries on 5xx, at once on a 4xx', async () => {
    const failing = await startReceiver([500, 500, 500, 500]);
    const refusing = await startReceiver([404]);
    try {
      expect(
        await deliverWebhook({
          url: failing.url,
          body: {},
          retries: 1,
          backoffMs: 10,
        }),
      ).toMatchObject({
        status: 'failed',
        attempts: 2,
        responseStatus: 500,
        error: 'HTTP 500',
      });
      expect(failing.received).toHaveLength(2);
      expect(
        await deliverWebhook({ url: refusing.url, body: {}, backoffMs: 10 }),
      ).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 404 });
    } finally {
      await failing.close();
      await refusing.close();
    }
  });

  it('records a failure when the server is down', async () => {
    const receiver = await startReceiver([]);
    await receiver.close(); // the port is now closed
    const delivery = await deliverWebhook({
      url: receiver.url,
      body: {},
      retries: 1,
      backoffMs: 10,
    });
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2 });
    expect(delivery.responseStatus).toBeUndefined();
    expect(delivery.error).toBe('ECONNREFUSED');
  });

  it('names the trigger that fired in a header and in the delivery', async () => {
    const receiver = await startReceiver([200]);
    try {
      const delivery = await deliverWebhook({
        url: receiver.url,
        body: { runId: 'r3', webhookTrigger: 'cancel' },
        trigger: 'cancel',
      });
      expect(delivery).toMatchObject({
        status: 'delivered',
        trigger: 'cancel',
      });
      expect(receiver.received[0].headers['x-opsdeck-webhook-trigger']).toBe(
        'cancel',
      );
    } finally {
      await receiver.close();
    }
  });

  it('accepts only http and https URLs with known triggers, each once', () => {
    expect(() =>
      validateWebhook({
        url: 'https://hooks.example.com/x',
        triggers: ['failure', 'cancel'],
      }),
    ).not.toThrow();
    for (const triggers of [[], ['never'], ['success', 'success']]) {
      expect(() =>
        validateWebhook({
          url: 'https://hooks.example.com/x',
          triggers: triggers as WebhookTrigger[],
        }),
      ).toThrow(/trigger/);
    }
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'data:text/plain,hello',
      'not a url',
      'https://user:pw@example.com/x',
    ]) {
      expect(() => validateWebhook({ url, triggers: ['success'] })).toThrow(
        /webhook URL/i,
      );
    }
  });
});
