import http from 'node:http';
import { AddressInfo } from 'node:net';
import { deliverWebhook } from './webhook';
import {
  isPrivateAddress,
  readAllowList,
  WebhookPolicy,
} from './webhookPolicy';

/** A resolver answering from a table, as DNS would (counts the questions). */
function fakeDns(table: Record<string, string[] | (() => string[])>) {
  const asked: string[] = [];
  const resolve = (
    host: string,
    _options: { all: true },
    callback: (err: Error | null, addresses: any[]) => void,
  ) => {
    asked.push(host);
    const entry = table[host];
    const list = typeof entry === 'function' ? entry() : entry;
    if (!list) {
      callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
          code: 'ENOTFOUND',
        }),
        [],
      );
      return;
    }
    callback(
      null,
      list.map(address => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, asked };
}

async function startReceiver() {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    received.push(`${req.method} ${req.headers.host} ${req.url}`);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise(r => server.close(r)),
  };
}

describe('WebhookPolicy', () => {
  const policy = new WebhookPolicy(
    readAllowList([
      'https://hooks.example.com/opsdeck',
      'https://*.chat.example.org/',
      'http://ci.example.net:8080/hook/',
      { url: 'http://internal.example.net:*/', allowPrivate: true },
    ]),
    fakeDns({}).resolve,
  );

  it.each([
    'https://hooks.example.com/opsdeck',
    'https://hooks.example.com/opsdeck/jobs?x=1',
    'https://HOOKS.example.com/opsdeck',
    'https://hooks.example.com:443/opsdeck',
    'https://a.chat.example.org/x',
    'https://a.b.chat.example.org/x',
    'http://ci.example.net:8080/hook/build',
    'http://internal.example.net:9999/anything',
  ])('allows %s', url => {
    expect(() => policy.allowed(url)).not.toThrow();
  });

  it.each([
    ['another scheme', 'http://hooks.example.com/opsdeck'],
    ['another path', 'https://hooks.example.com/admin'],
    ['a path that only starts alike', 'https://hooks.example.com/opsdeck-evil'],
    ['another port', 'https://hooks.example.com:8443/opsdeck'],
    ['the wildcard parent itself', 'https://chat.example.org/x'],
    ['a look-alike suffix', 'https://evilchat.example.org/x'],
    ['a look-alike host', 'https://hooks.example.com.evil.net/opsdeck'],
    [
      'user info hiding the real host',
      'https://hooks.example.com@evil.net/opsdeck',
    ],
    [
      'the default port of an entry with a port',
      'http://ci.example.net/hook/x',
    ],
    ['not a URL', 'hooks.example.com/opsdeck'],
  ])('refuses %s', (_, url) => {
    expect(() => policy.allowed(url)).toThrow(
      /not on the allow-list|not a URL/,
    );
  });

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '224.0.0.1',
  ])('knows %s is not public', address => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])(
    'knows %s is public',
    address => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('refuses an allowed name that resolves to a private address, unless its entry allows it', async () => {
    const dns = fakeDns({
      'hooks.example.com': ['93.184.216.34', '10.0.0.7'],
      'internal.example.net': ['10.0.0.8'],
    });
    const p = new WebhookPolicy(
      readAllowList([
        'https://hooks.example.com/',
        { url: 'http://internal.example.net:*/', allowPrivate: true },
      ]),
      dns.resolve,
    );
    await expect(p.checkAtSave('https://hooks.example.com/x')).rejects.toThrow(
      'Webhook host hooks.example.com resolves to 10.0.0.7, a private, loopback or link-local address; an admin must allow that URL with allowPrivate',
    );
    await expect(
      p.checkAtSave('http://internal.example.net:8080/x'),
    ).resolves.toBeUndefined();
  });

  it.each([
    'http://127.0.0.1/hooks',
    'http://2130706433/hooks',
    'http://0x7f.1/hooks',
    'http://[::ffff:7f00:1]/hooks',
    'http://[::1]/hooks',
  ])(
    'refuses the literal loopback address %s without asking DNS',
    async url => {
      const dns = fakeDns({});
      const p = new WebhookPolicy(
        readAllowList([
          'http://127.0.0.1/hooks',
          'http://[::ffff:7f00:1]/hooks',
          'http://[::1]/hooks',
        ]),
        dns.resolve,
      );
      await expect(p.checkAtSave(url)).rejects.toThrow(
        /private, loopback or link-local/,
      );
      expect(dns.asked).toEqual([]);
    },
  );

  it('refuses a name that does not resolve', async () => {
    const p = new WebhookPolicy(
      readAllowList(['https://gone.example.com/']),
      fakeDns({}).resolve,
    );
    await expect(p.checkAtSave('https://gone.example.com/x')).rejects.toThrow(
      'Webhook host gone.example.com does not resolve: getaddrinfo ENOTFOUND gone.example.com',
    );
  });
});

describe('deliverWebhook with the allow-list', () => {
  it('refuses at send time a name that resolved to a public address when saved and to loopback now (DNS rebinding)', async () => {
    const receiver = await startReceiver();
    try {
      let answer = '93.184.216.34';
      const dns = fakeDns({ 'rebind.example.com': () => [answer] });
      const policy = new WebhookPolicy(
        readAllowList(['http://rebind.example.com:*/']),
        dns.resolve,
      );
      const url = `http://rebind.example.com:${receiver.port}/hook`;
      await policy.checkAtSave(url); // fine when the job is saved
      answer = '127.0.0.1';
      const delivery = await deliverWebhook({ url, body: {}, policy });
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 0,
        refused: true,
      });
      expect(delivery.error).toMatch(/^Refused: .*resolves to 127\.0\.0\.1/);
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a URL the allow-list no longer holds', async () => {
    const receiver = await startReceiver();
    try {
      const policy = new WebhookPolicy([], fakeDns({}).resolve);
      const delivery = await deliverWebhook({
        url: `http://127.0.0.1:${receiver.port}/hook`,
        body: {},
        policy,
      });
      expect(delivery).toMatchObject({ status: 'failed', refused: true });
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('connects to the very address it checked (the lookup is pinned)', async () => {
    const receiver = await startReceiver();
    try {
      // a name real DNS does not know: only the pinned lookup can reach it
      const dns = fakeDns({ 'ci.opsdeck.invalid': ['127.0.0.1'] });
      const policy = new WebhookPolicy(
        readAllowList([
          { url: 'http://ci.opsdeck.invalid:*/', allowPrivate: true },
        ]),
        dns.resolve,
      );
      const delivery = await deliverWebhook({
        url: `http://ci.opsdeck.invalid:${receiver.port}/hook`,
        body: { ok: true },
        policy,
      });
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(receiver.received).toEqual([
        `POST ci.opsdeck.invalid:${receiver.port} /hook`,
      ]);
      expect(dns.asked).toEqual(['ci.opsdeck.invalid']);
    } finally {
      await receiver.close();
    }
  });
});
