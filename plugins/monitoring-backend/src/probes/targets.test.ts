import net from 'node:net';
import { startDnsServer } from '../__testUtils__/dnsServer';
import {
  addressAllowed,
  allowList,
  checkReachable,
  resolveChecked,
  serversLookup,
  formatInterval,
  parseInterval,
  parseTarget,
} from './targets';

const none = new net.BlockList();

describe('probe targets', () => {
  it('parses TCP host:port and HTTP URLs with their own grammar', () => {
    expect(parseTarget('tcp', ' db-01.example.com:5432 ')).toEqual({
      target: 'db-01.example.com:5432',
      host: 'db-01.example.com',
    });
    expect(parseTarget('tcp', '[2001:db8::1]:443')).toEqual({
      target: '[2001:db8::1]:443',
      host: '2001:db8::1',
    });
    expect(
      parseTarget('http', 'https://shop.example.com/health?x=1#frag'),
    ).toEqual({
      target: 'https://shop.example.com/health?x=1',
      host: 'shop.example.com',
    });
    for (const bad of [
      'db-01',
      'db-01:',
      'db-01:65536',
      'db 01:22',
      'a:b:22',
      '[not-ip]:22',
      'http://db-01:22',
      'db_01!:22',
    ]) {
      expect(() => parseTarget('tcp', bad)).toThrow();
    }
    for (const bad of [
      'ftp://x.example.com/',
      'file:///etc/passwd',
      'http://u:p@x.example.com/',
      'gopher://x.example.com:70/',
      'x.example.com/health',
      'http://x.example.com/a b',
    ]) {
      expect(() => parseTarget('http', bad)).toThrow();
    }
  });

  it('refuses loopback, link-local, metadata and multicast unless allowed', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.9.1',
      '0.0.0.0',
      '169.254.169.254',
      '100.100.100.200',
      '168.63.129.16',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
    ]) {
      expect([a, addressAllowed(a, none)]).toEqual([a, false]);
    }
    for (const a of [
      '10.1.2.3',
      '192.168.1.10',
      '203.0.113.5',
      '2001:db8::1',
    ]) {
      expect([a, addressAllowed(a, none)]).toEqual([a, true]);
    }
    const allow = allowList(['127.0.0.1', '169.254.10.0/24']);
    expect(addressAllowed('127.0.0.1', allow)).toBe(true);
    expect(addressAllowed('::ffff:127.0.0.1', allow)).toBe(true);
    expect(addressAllowed('127.0.0.2', allow)).toBe(false);
    expect(addressAllowed('169.254.10.7', allow)).toBe(true);
    expect(addressAllowed('169.254.169.254', allow)).toBe(false);
    expect(() => allowList(['metadata.internal'])).toThrow(/not an address/);
  });

  it('refuses IPv4 addresses probes may not reach embedded in NAT64, 6to4, Teredo and SIIT IPv6 addresses', () => {
    for (const a of [
      '64:ff9b::7f00:1', // NAT64 (RFC 6052) of 127.0.0.1
      '64:ff9b::169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::a9fe:a9fe', // local-use NAT64 prefix (RFC 8215), /96 form
      '64:ff9b:1:7f00:0:100::', // local-use /48: 127.0.0.1 at bits 48-87
      '2002:7f00:1::', // 6to4 (RFC 3056) of 127.0.0.1
      '2002:a9fe:a9fe::1',
      '2002:6464:64c8:1::1', // 100.100.100.200
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo client 127.0.0.1
      '2001:0:a9fe:a9fe::1', // Teredo server 169.254.169.254
      '::ffff:0:7f00:1', // IPv4-translated (RFC 2765)
      '::ffff:0:a9fe:a9fe',
    ]) {
      expect([a, addressAllowed(a, none)]).toEqual([a, false]);
    }
    for (const a of [
      '64:ff9b::cb00:7105', // 203.0.113.5 through NAT64: reachable
      '2002:cb00:7105::1',
      '64:ff9b::a01:203', // 10.1.2.3: private ranges are probe targets
    ]) {
      expect([a, addressAllowed(a, none)]).toEqual([a, true]);
    }
    // allowTargets covers the embedded address too
    const allow = allowList(['127.0.0.1']);
    expect(addressAllowed('64:ff9b::7f00:1', allow)).toBe(true);
    expect(addressAllowed('2002:7f00:2::', allow)).toBe(false);
    expect(() =>
      parseTarget('http', 'http://[64:ff9b::127.0.0.1]/'),
    ).not.toThrow();
  });

  it('resolves a name and refuses it when any of its addresses is refused', async () => {
    const lookup = (answers: Record<string, string[]>) => async (h: string) => {
      if (!answers[h]) throw new Error('ENOTFOUND');
      return answers[h];
    };
    const dnsAnswers = lookup({
      'shop.example.com': ['203.0.113.5'],
      'rebind.example.com': ['203.0.113.5', '169.254.169.254'],
      'metadata.google.internal': ['169.254.169.254'],
    });
    await expect(
      checkReachable('shop.example.com', none, dnsAnswers),
    ).resolves.toBeUndefined();
    await expect(
      checkReachable('rebind.example.com', none, dnsAnswers),
    ).rejects.toThrow(/may not reach 169\.254\.169\.254/);
    await expect(
      checkReachable('metadata.google.internal', none, dnsAnswers),
    ).rejects.toThrow(/may not reach/);
    await expect(
      checkReachable('nowhere.example.com', none, dnsAnswers),
    ).rejects.toThrow(/does not resolve/);
    // an address is not looked up
    await expect(checkReachable('127.0.0.1', none, dnsAnswers)).rejects.toThrow(
      /may not reach 127\.0\.0\.1/,
    );
  });

  it('asks configured DNS servers for A and AAAA and checks every answer', async () => {
    const dnsServer = await startDnsServer();
    try {
      const lookup = serversLookup([dnsServer.address]);
      dnsServer.answer('dual.opsdeck.test', ['203.0.113.5', '2001:db8::5']);
      dnsServer.answer('v6only.opsdeck.test', ['2001:db8::6']);
      dnsServer.answer('aaaa-loopback.opsdeck.test', ['203.0.113.5', '::1']);
      dnsServer.answer('mapped.opsdeck.test', [
        '203.0.113.5',
        '::ffff:169.254.169.254',
      ]);
      dnsServer.answer('empty.opsdeck.test', []);
      expect(await resolveChecked('dual.opsdeck.test', none, lookup)).toEqual([
        '203.0.113.5',
        '2001:db8::5',
      ]);
      expect(
        await resolveChecked('v6only.opsdeck.test.', none, lookup),
      ).toEqual(['2001:db8::6']);
      await expect(
        resolveChecked('aaaa-loopback.opsdeck.test', none, lookup),
      ).rejects.toThrow(/may not reach ::1\b/);
      await expect(
        resolveChecked('mapped.opsdeck.test', none, lookup),
      ).rejects.toThrow(
        /may not reach ::ffff:a9fe:a9fe|may not reach ::ffff:169/,
      );
      for (const name of ['empty.opsdeck.test', 'unknown.opsdeck.test']) {
        await expect(resolveChecked(name, none, lookup)).rejects.toThrow(
          /does not resolve/,
        );
      }
      expect(dnsServer.queries).toContain('aaaa-loopback.opsdeck.test');
    } finally {
      await dnsServer.stop();
    }
  });

  it('reads intervals, sub-minute included, within bounds', () => {
    expect(parseInterval('15s', 5)).toBe(15);
    expect(parseInterval('2m', 5)).toBe(120);
    expect(parseInterval('1h', 5)).toBe(3600);
    expect(() => parseInterval('1s', 5)).toThrow(/between 5s and 1h/);
    expect(() => parseInterval('2h', 5)).toThrow(/between/);
    expect(() => parseInterval('15', 5)).toThrow(/Not an interval/);
    expect(() => parseInterval('1.5m', 5)).toThrow(/Not an interval/);
    expect(formatInterval(15)).toBe('15s');
    expect(formatInterval(120)).toBe('2m');
    expect(formatInterval(90)).toBe('90s');
    expect(formatInterval(3600)).toBe('1h');
  });

  it('refuses loopback and metadata however the address is spelled, with the real resolver', async () => {
    const http = [
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[::ffff:169.254.169.254]/latest/meta-data/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://0.0.0.0/',
      'http://0/',
      'http://localhost./',
      'http://LOCALHOST/',
      'http://[::]/',
      'http://[0:0:0:0:0:0:0:1]/',
      'http://[::127.0.0.1]/',
      'http://[::a9fe:a9fe]/',
      'http://\u2460\u2461\u2466.0.0.1/',
    ];
    const tcp = [
      '0x7f000001:22',
      '2130706433:22',
      '127.1:22',
      '0:22',
      'localhost.:22',
      '[::ffff:127.0.0.1]:22',
      '[::ffff:7f00:1]:22',
      '[::127.0.0.1]:22',
      '[0::1]:22',
    ];
    const refused = async (kind: 'http' | 'tcp', raw: string) => {
      try {
        const { host } = parseTarget(kind, raw);
        await checkReachable(host, none);
        return false;
      } catch {
        return true;
      }
    };
    const allowed: string[] = [];
    for (const raw of http)
      if (!(await refused('http', raw))) allowed.push(raw);
    for (const raw of tcp) if (!(await refused('tcp', raw))) allowed.push(raw);
    expect(allowed).toEqual([]);
  });
});
