import type { HostFacts } from '@opsdeck/plugin-cmdb-node';
import { toHostSelector, type Grant } from '../database/BastionStore';
import {
  opensByName,
  type BastionHost,
  type HostDirectory,
} from '../session/hosts';
import { grantSelectorMatches } from './matchGrant';

/** Most hosts one "my assets" answer lists (a broad tag grant stops here). */
export const MAX_ASSETS = 500;

/** The facts summary an asset shows (what the CMDB last collected). */
export type AssetFacts = Pick<
  HostFacts,
  'reachable' | 'os' | 'cpuCount' | 'memTotalMiB' | 'collectedAt' | 'lastOkAt'
>;

/** One host the caller may open a terminal on now, with the grants that allow it. */
export type Asset = {
  name: string;
  entityRef: string;
  address: string;
  port: number;
  system?: string;
  environment?: string;
  owner?: string;
  tags: string[];
  /** Logins the caller's grants allow on the host. */
  loginUsers: string[];
  /** When the longest-lasting of those grants ends (ISO). */
  expiresAt: string;
  /** Opening a terminal asks for a TOTP step-up first. */
  mfaRequired: boolean;
  facts?: AssetFacts;
};

const SUMMARY_KEYS = [
  'reachable',
  'os',
  'cpuCount',
  'memTotalMiB',
  'collectedAt',
  'lastOkAt',
] as const;

function summary(facts: HostFacts | undefined): AssetFacts | undefined {
  if (!facts) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of SUMMARY_KEYS) {
    if (facts[key] !== undefined) out[key] = facts[key];
  }
  return Object.keys(out).length ? (out as AssetFacts) : undefined;
}

/**
 * The hosts the caller's grants in force (`grants`, already the caller's own: see
 * grantsHeldBy) reach, resolved through the CMDB host index as opening a session resolves
 * them (only `resource:default/<name>`, the hosts a terminal opens by name), each once
 * with every login its grants allow; sorted by system, environment, name.
 * Facts come from `factsOf` (read as the caller); when the CMDB cannot answer, the hosts
 * are listed without facts.
 */
export async function listMyAssets(options: {
  grants: Grant[];
  hosts: Pick<HostDirectory, 'resolveHosts'>;
  mfaRequiredFor(host: BastionHost): boolean;
  factsOf?(hosts: BastionHost[]): Promise<Map<string, HostFacts>>;
}): Promise<{ items: Asset[]; truncated: boolean }> {
  const byRef = new Map<string, { host: BastionHost; grants: Grant[] }>();
  let truncated = false;
  for (const grant of options.grants) {
    const selector = toHostSelector(grant.selector);
    if (Object.keys(selector).length === 0) continue;
    for (const host of await options.hosts.resolveHosts(selector)) {
      // the index answers the selector; the grant's own matcher has the last word
      if (!grantSelectorMatches(grant.selector, host)) continue;
      // only a host a terminal opens by its name (resource:default/<name>):
      // another namespace's host is no asset, and its name would open another host
      if (!opensByName(host)) continue;
      const entry = byRef.get(host.entityRef);
      if (entry) entry.grants.push(grant);
      else if (byRef.size >= MAX_ASSETS) truncated = true;
      else byRef.set(host.entityRef, { host, grants: [grant] });
    }
  }
  const entries = [...byRef.values()];
  let facts = new Map<string, HostFacts>();
  if (options.factsOf && entries.length) {
    try {
      facts = await options.factsOf(entries.map(e => e.host));
    } catch {
      // facts are a summary: the list stands without them
    }
  }
  const items = entries.map(({ host, grants }): Asset => {
    const asset: Asset = {
      name: host.name,
      entityRef: host.entityRef,
      address: host.address,
      port: host.port,
      tags: host.tags,
      loginUsers: [...new Set(grants.map(g => g.loginUser))].sort(),
      expiresAt: grants
        .map(g => g.expiresAt)
        .reduce((a, b) => (new Date(b) > new Date(a) ? b : a)),
      mfaRequired: options.mfaRequiredFor(host),
    };
    if (host.system) asset.system = host.system;
    if (host.environment) asset.environment = host.environment;
    if (host.owner) asset.owner = host.owner;
    const f = summary(facts.get(host.entityRef));
    if (f) asset.facts = f;
    return asset;
  });
  const key = (a: Asset) =>
    [a.system ?? '\uffff', a.environment ?? '\uffff', a.name].join('\u0000');
  items.sort((a, b) => key(a).localeCompare(key(b)));
  return { items, truncated };
}
