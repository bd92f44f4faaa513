import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { ProbeKind } from '@opsdeck/plugin-monitoring-common';
import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Probe targets, parsed with their own grammar (`host:port` for TCP, a URL
 * for HTTP) and refused when they point somewhere a probe could be abused
 * from the blackbox exporter's network position: loopback, link-local (cloud
 * metadata at 169.254.169.254), the unspecified address, multicast, the
 * metadata addresses of Alibaba Cloud / Azure / AWS IPv6, and any of those
 * embedded in an IPv6 address a translator or relay forwards to (NAT64,
 * 6to4, Teredo, SIIT), unless an address is in
 * `opsdeck.monitoring.probes.allowTargets`. A name is resolved and
 * every address it has must pass; what is published to the exporter is
 * then one of those addresses, never the name (`pinTarget`): the exporter
 * resolves nothing, so a name that answers differently later (DNS
 * rebinding) cannot send a probe anywhere unchecked.
 */

const HOSTNAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function blockedList(): net.BlockList {
  const b = new net.BlockList();
  b.addSubnet('0.0.0.0', 8, 'ipv4');
  b.addSubnet('127.0.0.0', 8, 'ipv4');
  b.addSubnet('169.254.0.0', 16, 'ipv4');
  b.addSubnet('224.0.0.0', 4, 'ipv4');
  b.addSubnet('240.0.0.0', 4, 'ipv4');
  b.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
  b.addAddress('168.63.129.16', 'ipv4'); // Azure wire server
  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d (RFC 4291 2.5.5.1)
  b.addSubnet('::', 96, 'ipv6');
  b.addSubnet('fe80::', 10, 'ipv6');
  b.addSubnet('ff00::', 8, 'ipv6');
  b.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata (IPv6)
  return b;
}

const BLOCKED = blockedList();

/** Addresses and subnets (`10.0.0.0/8`, `127.0.0.1`) that may be probed though blocked. */
export function allowList(entries: string[]): net.BlockList {
  const allow = new net.BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.trim().split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (!net.isIP(address)) {
      throw new InputError(
        `opsdeck.monitoring.probes.allowTargets: '${entry}' is not an address or subnet`,
      );
    }
    if (bits === undefined) allow.addAddress(address, type);
    else allow.addSubnet(address, Number(bits), type);
  }
  return allow;
}

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) as its IPv4 address. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/** The eight 16-bit groups of an IPv6 address (`net.isIPv6` holds). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${(
      (c << 8) |
      d
    ).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (t: string | undefined) =>
    t ? t.split(':').map(g => parseInt(g, 16)) : [];
  const h = part(head);
  const t = part(tail);
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill(0);
  return [...h, ...fill, ...t];
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 addresses an IPv6 address carries to a translator or relay that
 * then connects to them: NAT64 (64:ff9b::/96, RFC 6052, and the local-use
 * 64:ff9b:1::/48, RFC 8215: every embedding position), IPv4-translated (::ffff:0:0/96, RFC 2765),
 * 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380: server and
 * de-obfuscated client).
 */
export function embeddedIpv4(address: string): string[] {
  if (!net.isIPv6(address)) return [];
  const g = ipv6Groups(address);
  const zero = (from: number, to: number) =>
    g.slice(from, to).every(x => x === 0);
  const out: string[] = [];
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) {
    // the well-known prefix is a /96 (RFC 6052 2.1)
    out.push(ipv4Of(g[6], g[7]));
  } else if (g[0] === 0x64 && g[1] === 0xff9b) {
    // a local-use prefix: every position RFC 6052 puts the IPv4 address at
    // (prefix /32 to /96, bits 64-71 skipped), its length is not known here
    const b = g.flatMap(x => [x >> 8, x & 0xff]);
    for (const at of [
      [4, 5, 6, 7],
      [5, 6, 7, 9],
      [6, 7, 9, 10],
      [7, 9, 10, 11],
      [9, 10, 11, 12],
      [12, 13, 14, 15],
    ]) {
      out.push(at.map(i => b[i]).join('.'));
    }
  }
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) {
    out.push(ipv4Of(g[6], g[7]));
  }
  if (g[0] === 0x2002) out.push(ipv4Of(g[1], g[2]));
  if (g[0] === 0x2001 && g[1] === 0) {
    out.push(ipv4Of(g[2], g[3]), ipv4Of(g[6] ^ 0xffff, g[7] ^ 0xffff));
  }
  return out;
}

function oneAllowed(ip: string, allow: net.BlockList): boolean {
  const type = net.isIPv6(ip) ? 'ipv6' : 'ipv4';
  return !BLOCKED.check(ip, type) || allow.check(ip, type);
}

/**
 * True when a probe may reach `address` (an IP): the address and every
 * IPv4 address it embeds for a translator (`embeddedIpv4`) must pass.
 */
export function addressAllowed(address: string, allow: net.BlockList): boolean {
  const ip = unmapped(address);
  return [ip, ...embeddedIpv4(ip)].every(a => oneAllowed(a, allow));
}

/** The host part of a parsed target (no brackets). */
export interface ParsedTarget {
  /** The normalised target the blackbox exporter gets. */
  target: string;
  host: string;
}

/** A target that is not one of its kind (the form says which shape it takes). */
function invalidTarget(message: string) {
  return coded(new InputError(message), 'monitoring-target-invalid');
}

function parsePort(port: string, raw: string): void {
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535) {
    throw invalidTarget(`Not a port in '${raw}'`);
  }
}

function checkHost(host: string, raw: string): void {
  if (!net.isIP(host) && !HOSTNAME.test(host)) {
    throw invalidTarget(`Not a host name or address in '${raw}'`);
  }
}

/** Parses a target of `kind`; InputError when it is not one. */
export function parseTarget(kind: ProbeKind, raw: string): ParsedTarget {
  if (kind === 'process' || kind === 'script') {
    throw new InputError(`A ${kind} probe has no network target`);
  }
  const text = raw.trim();
  const control = [...text].some(c => c.charCodeAt(0) < 0x20 || c === '\u007f');
  if (!text || text.length > 2048 || /\s/.test(text) || control) {
    throw invalidTarget('A probe target is one line without spaces');
  }
  if (kind === 'tcp') {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
    if (!m) throw invalidTarget(`A TCP target is host:port, not '${raw}'`);
    const host = m[1] ?? m[2];
    if (m[1] && !net.isIPv6(m[1])) {
      throw invalidTarget(`Not an IPv6 address in '${raw}'`);
    }
    checkHost(host, raw);
    parsePort(m[3], raw);
    return { target: m[1] ? `[${host}]:${m[3]}` : `${host}:${m[3]}`, host };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidTarget(`Not a URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidTarget('An HTTP probe is an http:// or https:// URL');
  }
  if (url.username || url.password) {
    throw invalidTarget('An HTTP probe URL carries no credentials');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  checkHost(host, raw);
  if (url.port) parsePort(url.port, raw);
  url.hash = '';
  return { target: url.href, host };
}

/** A resolver: every address (A and AAAA) a name has. */
export type Lookup = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS; A and AAAA). */
export const systemLookup: Lookup = async h =>
  (await dns.lookup(h, { all: true, verbatim: true })).map(a => a.address);

/**
 * A resolver asking these DNS servers (`probes.dnsServers`, `ip[:port]`)
 * for A and AAAA; a name with neither does not resolve.
 */
export function serversLookup(servers: string[]): Lookup {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers(servers);
  const none = (e: NodeJS.ErrnoException): string[] => {
    if (e.code === 'ENODATA' || e.code === 'ENOTFOUND') return [];
    throw e;
  };
  return async host => {
    const name = host.replace(/\.$/, '');
    const [a, aaaa] = await Promise.all([
      resolver.resolve4(name).catch(none),
      resolver.resolve6(name).catch(none),
    ]);
    return [...a, ...aaaa];
  };
}

/**
 * The addresses of `host` (itself when it is one), every one checked;
 * InputError when it does not resolve or any address is refused.
 */
export async function resolveChecked(
  host: string,
  allow: net.BlockList,
  lookup: Lookup = systemLookup,
): Promise<string[]> {
  const addresses = net.isIP(host)
    ? [host]
    : await lookup(host).catch(() => {
        throw unresolved(host);
      });
  if (!addresses.length) throw unresolved(host);
  const refused = addresses.filter(a => !addressAllowed(a, allow));
  if (refused.length) {
    throw coded(
      new InputError(
        `Probes may not reach ${refused.join(
          ', ',
        )} (loopback, link-local, metadata or multicast); see opsdeck.monitoring.probes.allowTargets`,
      ),
      'monitoring-target-refused',
      { addresses: refused.join(', ') },
    );
  }
  return addresses;
}

/** Refuses a host that is, or resolves to, an address probes may not reach. */
export async function checkReachable(
  host: string,
  allow: net.BlockList,
  lookup: Lookup = systemLookup,
): Promise<void> {
  await resolveChecked(host, allow, lookup);
}

/**
 * `target` with its host replaced by `address` (one opsdeck checked), so
 * the exporter resolves nothing: `ip:port` / `[ip6]:port` for TCP, the URL
 * with the address as its host for HTTP (the name goes in the module's
 * Host header and TLS server name, see `httpServerName`).
 */
export function pinTarget(
  kind: ProbeKind,
  target: string,
  address: string,
): string {
  const { host } = parseTarget(kind, target);
  if (net.isIP(host)) return target;
  const literal = net.isIPv6(address) ? `[${address}]` : address;
  if (kind === 'tcp') {
    return `${literal}:${target.slice(target.lastIndexOf(':') + 1)}`;
  }
  const url = new URL(target);
  url.hostname = literal;
  return url.href;
}

/**
 * The address a pinned probe uses: the lowest IPv4 one (modules prefer
 * ip4), else the lowest IPv6 one; the same set in any order (round-robin
 * DNS) pins the same address, so the target does not flap.
 */
export function pinnedAddress(addresses: string[]): string {
  const v4 = addresses.filter(a => net.isIPv4(a));
  const key = (a: string) =>
    a
      .split('.')
      .map(o => o.padStart(3, '0'))
      .join('.');
  if (v4.length) return v4.sort((a, b) => key(a).localeCompare(key(b)))[0];
  return [...addresses].sort()[0];
}

/**
 * For an HTTP target with a host name: the Host header (name and a
 * non-default port) and the TLS server name the pinned request carries.
 */
export function httpServerName(
  target: string,
): { hostHeader: string; serverName: string } | undefined {
  const { host } = parseTarget('http', target);
  if (net.isIP(host)) return undefined;
  return {
    hostHeader: new URL(target).host,
    serverName: host.replace(/\.$/, ''),
  };
}

function unresolved(host: string) {
  return coded(
    new InputError(`'${host}' does not resolve`),
    'monitoring-target-unresolved',
    { host },
  );
}

/** `15s`, `2m`, `1h` as seconds; InputError when outside [min, 3600]. */
export function parseInterval(text: string, minSeconds: number): number {
  const m = /^([1-9]\d{0,4})(s|m|h)$/.exec(text.trim());
  const seconds = m
    ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's']
    : undefined;
  if (seconds === undefined || seconds < minSeconds || seconds > 3600) {
    throw coded(
      new InputError(
        m
          ? `A probe interval is between ${minSeconds}s and 1h, not ${text}`
          : `Not an interval: '${text}' (e.g. 15s, 1m)`,
      ),
      'monitoring-interval-invalid',
      { min: minSeconds },
    );
  }
  return seconds;
}

/** Seconds as Prometheus' duration (`15s`, `2m`, `1h`). */
export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
