import type { HostSummary } from '../api/types';

/** What the Hosts page groups by. */
export const GROUP_BY = [
  'none',
  'system',
  'environment',
  'tag',
  'owner',
] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** One group of hosts: its key (empty for "no system/tag/…") and counts. */
export interface HostGroup {
  /** The value the hosts share; `''` for hosts without one. */
  key: string;
  hosts: HostSummary[];
  reachable: number;
  unreachable: number;
}

function keysOf(host: HostSummary, by: Exclude<GroupBy, 'none'>): string[] {
  switch (by) {
    case 'system':
      return [host.system ?? ''];
    case 'environment':
      return [host.environment ?? ''];
    case 'owner':
      return [host.owner ?? ''];
    case 'tag':
      // a host with several tags is in each of their groups
      return host.tags.length > 0 ? [...new Set(host.tags)] : [''];
    default:
      return [''];
  }
}

/**
 * Groups the hosts the page shows by one of their fields, sorted by key with
 * the hosts lacking it last; each group keeps the page's order (by name) and
 * counts its reachable and unreachable hosts (unknown ones count as neither).
 */
export function groupHosts(
  hosts: HostSummary[],
  by: Exclude<GroupBy, 'none'>,
): HostGroup[] {
  const groups = new Map<string, HostGroup>();
  for (const host of hosts) {
    for (const key of keysOf(host, by)) {
      let group = groups.get(key);
      if (!group) {
        group = { key, hosts: [], reachable: 0, unreachable: 0 };
        groups.set(key, group);
      }
      group.hosts.push(host);
      if (host.reachable === true) group.reachable++;
      if (host.reachable === false) group.unreachable++;
    }
  }
  return [...groups.values()].sort((a, b) => {
    if (a.key === '' || b.key === '') return a.key === '' ? 1 : -1;
    return a.key.localeCompare(b.key, 'en');
  });
}
