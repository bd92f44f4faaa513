import { InputError } from '@backstage/errors';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * One entry of the admin allow-list `opsdeck.jobs.webhookAllowList`: a URL
 * prefix (scheme, host, optional port and path; the host may start with
 * `*.` for any subdomain, the port may be `*` for any port; no port means
 * the scheme's default) and whether it may resolve to a private, loopback or
 * link-local address.
 */
export type WebhookAllowEntry = { url: string; allowPrivate: boolean };

/** Thrown when a webhook target is not allowed; the message says why. */
export class WebhookRefusedError extends InputError {}

/** Loopback, private, link-local (cloud metadata), shared and reserved ranges. */
const PRIVATE = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/** Whether an IP address is not a public unicast one. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type Pattern = {
  entry: WebhookAllowEntry;
  protocol: string;
  host: string;
  wildcard: boolean;
  port: string;
  path: string;
};

const defaultPort = (protocol: string) =>
  protocol === 'https:' ? '443' : '80';

function parseEntry(entry: WebhookAllowEntry): Pattern {
  // `host:*` allows any port
  const anyPort = /^[a-z]+:\/\/[^/]*:\*(\/|$)/i.test(entry.url);
  const url = new URL(anyPort ? entry.url.replace(':*', '') : entry.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `opsdeck.jobs.webhookAllowList: '${entry.url}' is not an http(s) URL`,
    );
  }
  const wildcard = url.hostname.startsWith('*.');
  return {
    entry,
    protocol: url.protocol,
    host: (wildcard ? url.hostname.slice(1) : url.hostname).toLowerCase(),
    wildcard,
    port: anyPort ? '*' : url.port || defaultPort(url.protocol),
    path: url.pathname,
  };
}

type Lookup = (
  hostname: string,
  options: { all: true },
  callback: (err: Error | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * Where job webhooks may be sent: only to URLs on the admin allow-list, and
 * never to a private, loopback or link-local address unless the entry says
 * so. Checked when a job is saved and again at every delivery; at delivery
 * the connection goes to the very addresses that were checked (the lookup is
 * pinned), so a DNS answer that changes in between cannot redirect it.
 */
export class WebhookPolicy {
  private readonly patterns: Pattern[];

  constructor(
    entries: WebhookAllowEntry[],
    private readonly resolve: Lookup = dnsLookup as unknown as Lookup,
  ) {
    this.patterns = entries.map(parseEntry);
  }

  /** The allow-list entry the URL falls under (InputError when none). */
  allowed(target: string): WebhookAllowEntry {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new WebhookRefusedError(`Webhook URL '${target}' is not a URL`);
    }
    const host = url.hostname.toLowerCase();
    const port = url.port || defaultPort(url.protocol);
    const match = this.patterns.find(
      p =>
        p.protocol === url.protocol &&
        (p.wildcard ? host.endsWith(p.host) : host === p.host) &&
        (p.port === '*' || p.port === port) &&
        (url.pathname === p.path ||
          url.pathname.startsWith(
            p.path.endsWith('/') ? p.path : `${p.path}/`,
          )),
    );
    if (!match) {
      throw new WebhookRefusedError(
        `Webhook URL ${url.origin}${url.pathname} is not on the allow-list (opsdeck.jobs.webhookAllowList)`,
      );
    }
    return match.entry;
  }

  /** Resolves the host; refuses private addresses the entry does not allow. */
  async addresses(target: string): Promise<LookupAddress[]> {
    const entry = this.allowed(target);
    const host = new URL(target).hostname.replace(/^\[|\]$/g, '');
    const found: LookupAddress[] = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await new Promise((resolve, reject) =>
          this.resolve(host, { all: true }, (err, addresses) =>
            err
              ? reject(
                  new WebhookRefusedError(
                    `Webhook host ${host} does not resolve: ${err.message}`,
                  ),
                )
              : resolve(addresses),
          ),
        );
    if (found.length === 0) {
      throw new WebhookRefusedError(`Webhook host ${host} has no address`);
    }
    const blocked = found.filter(a => isPrivateAddress(a.address));
    if (blocked.length > 0 && !entry.allowPrivate) {
      throw new WebhookRefusedError(
        `Webhook host ${host} resolves to ${blocked
          .map(a => a.address)
          .join(
            ', ',
          )}, a private, loopback or link-local address; an admin must allow that URL with allowPrivate`,
      );
    }
    return found;
  }

  /** The check when a webhook is saved (InputError: 400). */
  async checkAtSave(target: string): Promise<void> {
    await this.addresses(target);
  }

  /**
   * A `lookup` for the delivery's connection that answers with the checked
   * addresses only.
   */
  async pinnedLookup(target: string) {
    const addresses = await this.addresses(target);
    return (
      _hostname: string,
      options: { all?: boolean },
      callback: (...args: any[]) => void,
    ) => {
      if (options?.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
  }
}

/** Reads `opsdeck.jobs.webhookAllowList` entries (strings or objects). */
export function readAllowList(
  raw: Array<string | { url: string; allowPrivate?: boolean }> | undefined,
): WebhookAllowEntry[] {
  return (raw ?? []).map(e =>
    typeof e === 'string'
      ? { url: e, allowPrivate: false }
      : { url: e.url, allowPrivate: e.allowPrivate ?? false },
  );
}
