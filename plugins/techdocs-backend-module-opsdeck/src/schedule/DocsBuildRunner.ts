import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Outcome of one entity's sync. */
export type SyncOutcome = 'built' | 'unchanged' | 'failed';

/** What one scheduled pass did. */
export interface BuildPassResult {
  built: string[];
  unchanged: string[];
  failed: { entityRef: string; error: string }[];
}

const TECHDOCS_REF = 'backstage.io/techdocs-ref';

/**
 * Builds the docs of every catalog entity that has them, on the scheduler.
 * It asks the TechDocs backend to sync each entity (`GET
 * /api/techdocs/sync/...`, the same path a reader's visit takes), so a
 * scheduled build and an on-demand one share TechDocs' build queue, its
 * cache and its publisher; unchanged docs cost a hash (the etag of
 * OpsdeckDirectoryPreparer) and are not rebuilt.
 */
export class DocsBuildRunner {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
    },
  ) {}

  /** Entities with a `backstage.io/techdocs-ref` annotation. */
  async entitiesWithDocs(): Promise<Entity[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${TECHDOCS_REF}`]: CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    return items;
  }

  /** Syncs one entity's docs through the TechDocs backend. */
  async sync(entity: Entity): Promise<SyncOutcome> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: await this.deps.auth.getOwnServiceCredentials(),
      targetPluginId: 'techdocs',
    });
    const baseUrl = await this.deps.discovery.getBaseUrl('techdocs');
    const ns = encodeURIComponent(entity.metadata.namespace ?? 'default');
    const kind = encodeURIComponent(entity.kind);
    const name = encodeURIComponent(entity.metadata.name);
    const response = await fetch(`${baseUrl}/sync/${ns}/${kind}/${name}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = await response.text();
    if (!response.ok) {
      throw new Error(`TechDocs sync answered ${response.status}: ${body}`);
    }
    // text/event-stream: the last event is `finish` ({updated}) or `error`
    const events = [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)];
    const last = events[events.length - 1];
    if (!last) throw new Error('TechDocs sync sent no result');
    if (last[1] === 'error') throw new Error(JSON.parse(last[2]));
    return JSON.parse(last[2])?.updated ? 'built' : 'unchanged';
  }

  /** One pass over every entity with docs, one build at a time. */
  async buildAll(): Promise<BuildPassResult> {
    const result: BuildPassResult = { built: [], unchanged: [], failed: [] };
    for (const entity of await this.entitiesWithDocs()) {
      const ref = stringifyEntityRef(entity);
      try {
        const outcome = await this.sync(entity);
        if (outcome === 'built') result.built.push(ref);
        else result.unchanged.push(ref);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result.failed.push({ entityRef: ref, error: message });
        this.deps.logger.warn(
          `Scheduled docs build of ${ref} failed: ${message}`,
        );
      }
    }
    this.deps.logger.info(
      `Scheduled docs build: ${result.built.length} built, ${result.unchanged.length} unchanged, ${result.failed.length} failed`,
    );
    return result;
  }
}
