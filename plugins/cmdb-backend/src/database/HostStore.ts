import type {
  HostDetail,
  HostDisk,
  HostListPage,
  HostListQuery,
  HostSelector,
  HostSource,
  HostSummary,
} from '@opsdeck/plugin-cmdb-common';
import type { HostRecord } from '@opsdeck/plugin-cmdb-node';

// one home: cmdb-node (the hub hands records to the catalog module)
export type { HostRecord };

/** What one SSH collection found. */
export interface CollectedFacts {
  os?: string;
  kernel?: string;
  cpuCount?: number;
  cpuModel?: string;
  memTotalBytes?: number;
  disks?: HostDisk[];
  ips?: string[];
  uptimeSeconds?: number;
}

/** Outcome of one collection attempt. */
export type FactsOutcome =
  | { reachable: true; facts: CollectedFacts }
  | {
      reachable: false;
      error: string;
      /** The host offered a key that waits for an admin (nothing was sent to it). */
      hostKeyPending?: boolean;
    };

/** Largest page of GET /hosts. */
export const MAX_PAGE_SIZE = 500;
/** Page size when the caller does not ask for one. */
export const DEFAULT_PAGE_SIZE = 50;

/** The CMDB's host index and facts. */
export interface HostStore {
  /** Hosts matching the filters, by name; `total` only without `after`. */
  list(query: HostListQuery): Promise<HostListPage>;
  /** Every matching host, page by page (keyset), by name. */
  stream(
    query: Omit<HostListQuery, 'after' | 'limit'>,
    pageSize?: number,
  ): AsyncIterable<HostSummary[]>;
  /** Every host with all its facts, page by page (keyset), by name. */
  details(pageSize?: number): AsyncIterable<HostDetail[]>;
  /** One host with its facts. */
  get(name: string): Promise<HostDetail | undefined>;
  /** One host without facts. */
  getRecord(name: string): Promise<HostRecord | undefined>;
  /**
   * Hosts that may match the selector (at least every one that does), page
   * by page, by name; the caller applies `selectorMatches` for the exact
   * meaning.
   */
  candidates(
    selector: HostSelector,
    pageSize?: number,
  ): AsyncIterable<HostRecord[]>;
  /** All hosts of a source, page by page, by name. */
  records(source?: HostSource, pageSize?: number): AsyncIterable<HostRecord[]>;
  /** Adds a host; false when the name is taken. */
  insert(host: HostRecord): Promise<boolean>;
  /** Removes a host and its facts; false when there was none. */
  delete(name: string): Promise<boolean>;
  /**
   * Makes the `catalog` hosts of the index exactly `hosts` (inserting,
   * updating and removing rows); never touches `cmdb` hosts.
   */
  replaceCatalogHosts(
    hosts: HostRecord[],
  ): Promise<{ upserted: number; removed: number }>;
  /** Records a collection attempt; a failure keeps the previous facts. */
  recordFacts(name: string, outcome: FactsOutcome, at?: Date): Promise<void>;
}
