import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { CMDB_PROVIDER_NAME, hostToEntity } from '../model/hosts';
import type {
  CmdbHubService,
  HostChange,
  HostRecord,
} from '@opsdeck/plugin-cmdb-node';

function deferred(host: HostRecord): DeferredEntity {
  return { entity: hostToEntity(host), locationKey: CMDB_PROVIDER_NAME };
}

/**
 * Emits the hosts registered through the CMDB API as catalog entities: a
 * full mutation from the CMDB table when the catalog connects, then a delta
 * mutation per register or decommission. Mutations are applied one after
 * another, so a delta never races the full mutation.
 */
export class CmdbEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly hub: CmdbHubService,
    private readonly logger: LoggerService,
  ) {
    hub.subscribe(change => this.onChange(change));
  }

  getProviderName(): string {
    return CMDB_PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    // not awaited: the store appears once the cmdb plugin has started
    this.enqueue(() => this.fullMutation());
  }

  /** Resolves when every queued mutation has been applied (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(task: () => Promise<void>) {
    this.queue = this.queue
      .then(task)
      .catch(error =>
        this.logger.error('CMDB entity provider mutation failed', error),
      );
  }

  private async fullMutation() {
    const store = await this.hub.store;
    const entities: DeferredEntity[] = [];
    for await (const page of store.records('cmdb')) {
      entities.push(...page.map(deferred));
    }
    await this.connection!.applyMutation({ type: 'full', entities });
    this.logger.info(`Provided ${entities.length} CMDB hosts to the catalog`);
  }

  private onChange(change: HostChange) {
    if (!this.connection) return; // the full mutation will include it
    const hosts = change.hosts.filter(h => h.source === 'cmdb');
    if (hosts.length === 0) return;
    this.enqueue(() =>
      this.connection!.applyMutation(
        change.type === 'added'
          ? { type: 'delta', added: hosts.map(deferred), removed: [] }
          : { type: 'delta', added: [], removed: hosts.map(deferred) },
      ),
    );
  }
}
