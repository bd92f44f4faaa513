import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  cmdbHubServiceRef,
  type CmdbHubService,
  type HostChange,
  type HostIndexReader,
} from '@opsdeck/plugin-cmdb-node';

/**
 * In-process link between the cmdb plugin and its modules of the same
 * backend: the plugin hands over its host store and publishes every register
 * or decommission; the entity provider reads the store for its full mutation
 * and turns changes into delta mutations, the search collator reads the
 * store. One per backend: `cmdbHubServiceRef` is root-scoped.
 */
export class CmdbHub implements CmdbHubService {
  private resolveStore!: (store: HostIndexReader) => void;
  /** The cmdb plugin's store, once the plugin has started. */
  readonly store: Promise<HostIndexReader> = new Promise(resolve => {
    this.resolveStore = resolve;
  });
  private readonly listeners = new Set<(change: HostChange) => void>();

  setStore(store: HostIndexReader): void {
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

/**
 * The factory of `cmdbHubServiceRef` (`@opsdeck/plugin-cmdb-node`): one hub
 * per backend, shared by the cmdb plugin, its catalog module and its search
 * module. Add it to the backend once, next to the plugin.
 *
 * @public
 */
export const cmdbHubServiceFactory = createServiceFactory({
  service: cmdbHubServiceRef,
  deps: {},
  factory: () => new CmdbHub(),
});
