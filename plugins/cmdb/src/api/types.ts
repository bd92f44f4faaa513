/*
 * Types of the CMDB API (`/api/cmdb`). Defined here because
 * `@opsdeck/plugin-cmdb-common` did not exist when this plugin was written;
 * switch to importing from it once it lands.
 */

/** Where a host record comes from. */
export type HostSource = 'cmdb' | 'catalog';

/** One host as the host list returns it. */
export interface HostSummary {
  name: string;
  entityRef: string;
  address: string;
  port: number;
  loginUser?: string;
  credential?: string;
  environment: string;
  owner: string;
  system?: string;
  tags: string[];
  source: HostSource;
  /** `null` while the host has not been checked yet. */
  reachable: boolean | null;
  /** Why the last collection failed. */
  error?: string;
  os?: string;
  uptimeSeconds?: number;
  /** ISO 8601 time of the last fact collection. */
  collectedAt?: string;
}

/** A disk (mount point) of a host. */
export interface HostDisk {
  mount: string;
  sizeBytes: number;
  usedBytes: number;
}

/** One host with all its collected facts. */
export interface HostDetail extends HostSummary {
  kernel?: string;
  cpuCount?: number;
  cpuModel?: string;
  memTotalBytes?: number;
  disks?: HostDisk[];
  ips?: string[];
  /** ISO 8601 time the host was last reachable. */
  lastOkAt?: string;
  description?: string;
}

/** Reachability filter of the host list. */
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
