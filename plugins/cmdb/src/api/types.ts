/*
 * Types of the CMDB API (`/api/cmdb`) as the frontend uses it. The host shapes
 * are the CMDB backend's own (plugins/cmdb-common); the query types here
 * describe the page's filters.
 */
import type { HostSummary } from '@opsdeck/plugin-cmdb-common';

export type {
  HostDetail,
  HostDisk,
  HostSource,
  HostSummary,
} from '@opsdeck/plugin-cmdb-common';

export type ReachableFilter = 'true' | 'false' | 'unknown';

/** Filters of `GET /hosts` and `GET /hosts/export.csv`. */
export interface HostFilters {
  environment?: string;
  owner?: string;
  system?: string;
  tag?: string;
  reachable?: ReachableFilter;
  /** Free-text name search. */
  q?: string;
}

/** Filters plus paging of `GET /hosts`. */
export interface HostListQuery extends HostFilters {
  after?: string;
  limit?: number;
}

/** A page of hosts, sorted by name. */
export interface HostPage {
  items: HostSummary[];
  nextCursor?: string;
  /** Only on the first page. */
  total?: number;
}

/** The SSH host key pinned for a host (`GET /hosts/{name}/host-key`). */
export interface HostKey {
  /** known_hosts style: `address`, or `[address]:port`. */
  hostId: string;
  /** OpenSSH SHA256 fingerprint; absent when nothing is pinned yet. */
  fingerprint?: string;
  /** The key offered at first contact of a password login, waiting for an admin. */
  pending?: { fingerprint: string; offeredAt: string };
}

/** One host's outcome of `POST /collect`. */
export interface CollectItem {
  name: string;
  reachable: boolean;
  error?: string;
  hostKeyPending?: boolean;
}

/** The answer of `POST /collect`: counts and one item per host. */
export interface CollectResult {
  hosts: number;
  reachable: number;
  unreachable: number;
  items: CollectItem[];
}
