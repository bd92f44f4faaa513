import { RootConfigService } from '@backstage/backend-plugin-api';
import { HostRecord, HostStore } from '../database/HostStore';

/** A change of the CMDB's own hosts (source `cmdb`). */
export type HostChange =
  | { type: 'added'; hosts: HostRecord[] }
  | { type: 'removed'; hosts: HostRecord[] };

/**
 * In-process link between the cmdb plugin and the catalog module of the same
 * backend: the plugin publishes its host store and every register or
 * decommission; the entity provider reads the store for its full mutation
 * and turns changes into delta mutations. One hub per backend, keyed by the
 * root config instance (as the audit plugin shares its store).
 */
export class CmdbHub {
  private resolveStore!: (store: HostStore) => void;
  /** The cmdb plugin's store, once the plugin has started. */
  readonly store: Promise<HostStore> = new Promise(resolve => {
    this.resolveStore = resolve;
  });
  private readonly listeners = new Set<(change: HostChange) => void>();

  setStore(store: HostStore): void {
    this.resolveStore(store);
  }

  subscribe(listener: (change: HostChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: HostChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

const hubs = new WeakMap<RootConfigService, CmdbHub>();

/** The hub of the backend that `config` belongs to. */
export function getCmdbHub(config: RootConfigService): CmdbHub {
  let hub = hubs.get(config);
  if (!hub) {
    hub = new CmdbHub();
    hubs.set(config, hub);
  }
  return hub;
}
