import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { HostDetail, HostTarget } from '@opsdeck/plugin-cmdb-common';

/**
 * The facts the CMDB last collected from one host (`GET /api/cmdb/hosts/{name}`),
 * named as the CMDB names them, plus `memTotalMiB`. Empty when the CMDB never
 * collected the host's facts or the caller may not read them. config-backend
 * gives them to templates as `facts.*`.
 */
export type HostFacts = {
  /** Whether the last collection reached the host. */
  reachable?: boolean;
  /** PRETTY_NAME of /etc/os-release. */
  os?: string;
  kernel?: string;
  cpuCount?: number;
  cpuModel?: string;
  memTotalBytes?: number;
  /** memTotalBytes in whole MiB (templates have no arithmetic). */
  memTotalMiB?: number;
  ips?: string[];
  disks?: Array<{ mount: string; sizeBytes: number; usedBytes: number }>;
  uptimeSeconds?: number;
  /** ISO time of the last collection attempt. */
  collectedAt?: string;
  /** ISO time of the last successful collection. */
  lastOkAt?: string;
};

/** Host facts by entity ref, for the hosts of one push or preview. */
export type FactsByHost = Map<string, HostFacts>;

/** Where a plugin reads hosts' collected facts (the CMDB, on behalf of the caller). */
export interface HostFactsSource {
  factsOf(
    hosts: HostTarget[],
    options: { credentials: BackstageCredentials },
  ): Promise<FactsByHost>;
}

const FACT_KEYS = [
  'reachable',
  'os',
  'kernel',
  'cpuCount',
  'cpuModel',
  'memTotalBytes',
  'ips',
  'disks',
  'uptimeSeconds',
  'collectedAt',
  'lastOkAt',
] as const;

/** The facts of a CMDB host record (only the collected facts, nothing else of the record). */
export function factsOfDetail(detail: Partial<HostDetail>): HostFacts {
  const facts: Record<string, unknown> = {};
  for (const key of FACT_KEYS) {
    const value = detail[key];
    if (value !== undefined && value !== null) facts[key] = value;
  }
  if (typeof detail.memTotalBytes === 'number') {
    facts.memTotalMiB = Math.floor(detail.memTotalBytes / 1024 / 1024);
  }
  return facts as HostFacts;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * {@link HostFactsSource} over the CMDB's API (`GET /api/cmdb/hosts/{name}`,
 * `opsdeck.cmdb.host.read`), called on behalf of the caller as cmdb-node's
 * HostsClient calls `POST /hosts/resolve`. The CMDB keys hosts by name: a
 * record whose entity ref is not the host's (a host of the same name in
 * another namespace) gives no facts. A host the CMDB does not know, or the
 * caller may not read, has no facts; any other failure fails the push.
 */
export class HostFactsClient implements HostFactsSource {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
      /** Requests at once (default 8). */
      concurrency?: number;
    },
  ) {}

  async factsOf(
    hosts: HostTarget[],
    options: { credentials: BackstageCredentials },
  ): Promise<FactsByHost> {
    const out: FactsByHost = new Map();
    if (hosts.length === 0) return out;
    const { auth, discovery } = this.deps;
    const onBehalfOf = auth.isPrincipal(options.credentials, 'service')
      ? await auth.getOwnServiceCredentials()
      : options.credentials;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: 'cmdb',
    });
    const baseUrl = await discovery.getBaseUrl('cmdb');
    const doFetch = this.deps.fetch ?? fetch;
    let next = 0;
    const worker = async () => {
      while (next < hosts.length) {
        const host = hosts[next++];
        const response = await doFetch(
          `${baseUrl}/hosts/${encodeURIComponent(host.name)}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        if (response.status === 404 || response.status === 403) {
          out.set(host.entityRef, {});
          continue;
        }
        if (!response.ok) throw await ResponseError.fromResponse(response);
        const detail = (await response.json()) as Partial<HostDetail>;
        out.set(
          host.entityRef,
          typeof detail.entityRef === 'string' &&
            lower(detail.entityRef) === lower(host.entityRef)
            ? factsOfDetail(detail)
            : {},
        );
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.deps.concurrency ?? 8, hosts.length) },
        worker,
      ),
    );
    return out;
  }
}
