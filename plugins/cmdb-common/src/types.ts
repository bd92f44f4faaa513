/** Environments a host (or database, cache, queue) belongs to. */
export const HOST_ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'] as const;

/** One of {@link HOST_ENVIRONMENTS}. */
export type HostEnvironment = (typeof HOST_ENVIRONMENTS)[number];

/**
 * Where a host comes from: `cmdb` = registered through the CMDB API (the CMDB
 * puts it into the catalog and may decommission it), `catalog` = defined by
 * another catalog source (YAML, …) and only mirrored into the CMDB index.
 */
export type HostSource = 'cmdb' | 'catalog';

/** One filesystem of a host, from `df`. */
export type HostDisk = {
  mount: string;
  sizeBytes: number;
  usedBytes: number;
};

/** A host as listed by `GET /api/cmdb/hosts`. */
export type HostSummary = {
  name: string;
  /** `resource:default/<name>` for CMDB hosts; the catalog ref otherwise. */
  entityRef: string;
  address: string;
  port: number;
  loginUser?: string;
  /** Name of the vault credential used to log in. */
  credential?: string;
  environment: HostEnvironment;
  /** Entity ref (or short name) of the owning group or user. */
  owner: string;
  system?: string;
  tags: string[];
  source: HostSource;
  /** null: facts never collected. */
  reachable: boolean | null;
  /** Why the last collection failed (only when reachable is false). */
  error?: string;
  /** PRETTY_NAME of /etc/os-release. */
  os?: string;
  uptimeSeconds?: number;
  /** ISO time of the last collection attempt. */
  collectedAt?: string;
};

/** One host with all its facts (`GET /api/cmdb/hosts/{name}`). */
export type HostDetail = HostSummary & {
  kernel?: string;
  cpuCount?: number;
  cpuModel?: string;
  memTotalBytes?: number;
  disks?: HostDisk[];
  ips?: string[];
  /** ISO time of the last successful collection. */
  lastOkAt?: string;
  description?: string;
};

/** A page of `GET /api/cmdb/hosts`. */
export type HostListPage = {
  items: HostSummary[];
  /** Pass back as `after` for the next page; absent on the last page. */
  nextCursor?: string;
  /** Number of matching hosts; only on the first page (no `after`). */
  total?: number;
};

/** Filters of `GET /api/cmdb/hosts` and `GET /api/cmdb/hosts/export.csv`. */
export type HostListQuery = {
  environment?: HostEnvironment;
  owner?: string;
  system?: string;
  tag?: string;
  reachable?: 'true' | 'false' | 'unknown';
  /** Substring of the name (case-insensitive). */
  q?: string;
  after?: string;
  /** 1-500, default 50. */
  limit?: number;
};

/** One host to register (`POST /api/cmdb/hosts`). */
export type NewHost = {
  name: string;
  address: string;
  /** Default 22. */
  port?: number;
  loginUser?: string;
  credential?: string;
  environment: HostEnvironment;
  owner: string;
  system?: string;
  tags?: string[];
  description?: string;
};

/** Body of `POST /api/cmdb/hosts`. */
export type RegisterHostsRequest = {
  hosts: NewHost[];
  /** Only add a host when an SSH connection to it succeeds. */
  checkReachability?: boolean;
};

/**
 * Outcome for one host of `POST /api/cmdb/hosts`: `created`, or why not:
 * `invalid` (bad field), `exists` (name taken), `unreachable` (reachability
 * check failed).
 */
export type RegisterHostResult = {
  name: string;
  status: 'created' | 'invalid' | 'exists' | 'unreachable';
  entityRef?: string;
  message?: string;
};

/** Response of `POST /api/cmdb/hosts`. */
export type RegisterHostsResponse = {
  results: RegisterHostResult[];
};
