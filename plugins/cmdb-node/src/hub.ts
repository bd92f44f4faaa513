import { createServiceRef } from '@backstage/backend-plugin-api';
import type {
  HostDetail,
  HostEnvironment,
  HostSource,
} from '@opsdeck/plugin-cmdb-common';

/** A host of the CMDB's index, without facts. */
export interface HostRecord {
  name: string;
  address: string;
  port: number;
  loginUser?: string;
  credential?: string;
  environment: HostEnvironment;
  owner: string;
  system?: string;
  tags: string[];
  description?: string;
  source: HostSource;
  entityRef: string;
}

/** A change of the CMDB's own hosts (source `cmdb`). */
export type HostChange =
  | { type: 'added'; hosts: HostRecord[] }
  | { type: 'removed'; hosts: HostRecord[] };

/**
 * What the cmdb plugin's modules read of its host index: the CMDB's own
 * hosts (the catalog module's full mutation) and every host with its facts
 * (the search collator).
 */
export interface HostIndexReader {
  /** All hosts of a source, page by page, by name. */
  records(source?: HostSource, pageSize?: number): AsyncIterable<HostRecord[]>;
  /** Every host with all its facts, page by page (keyset), by name. */
  details(pageSize?: number): AsyncIterable<HostDetail[]>;
}

/**
 * In-process link between the cmdb plugin and its modules of the same
 * backend (the catalog entity provider, the search collator): the plugin
 * hands over its host store once it has started and publishes every
 * register or decommission; the modules read the store and turn changes into
 * delta mutations.
 *
 * @public
 */
export interface CmdbHubService {
  /** The cmdb plugin's host index, once the plugin has started. */
  readonly store: Promise<HostIndexReader>;
  /** Called once by the cmdb plugin when its store is open. */
  setStore(store: HostIndexReader): void;
  /** Listens to changes; returns the function that stops listening. */
  subscribe(listener: (change: HostChange) => void): () => void;
  /** Called by the cmdb plugin after a register or a decommission. */
  publish(change: HostChange): void;
}

/**
 * The CMDB hub, one per backend: the backend system creates it once and hands
 * the same instance to the cmdb plugin, its catalog module and its search
 * module. For `@opsdeck/plugin-cmdb-backend` only; other plugins resolve hosts
 * through `hostsServiceRef`. It has no default factory: the backend adds
 * `cmdbHubServiceFactory` from `@opsdeck/plugin-cmdb-backend` once, next to
 * the plugin.
 *
 * @public
 */
export const cmdbHubServiceRef = createServiceRef<CmdbHubService>({
  id: 'opsdeck.cmdb.hub',
  scope: 'root',
});
