import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { HostRecord, HostStore } from '../database/HostStore';
import { entityToHostRecord } from '../model/hosts';

/** Catalog page size of the sync. */
export const SYNC_PAGE_SIZE = 500;

/**
 * Mirrors host Resources of other catalog sources (YAML, …) into the CMDB
 * index: pages through the catalog (kind=resource, spec.type=host), upserts
 * them as `catalog` hosts and removes `catalog` hosts that are gone. The
 * CMDB's own entities and hosts without a valid address are skipped.
 */
export async function syncCatalogHosts(options: {
  catalog: CatalogService;
  auth: AuthService;
  store: HostStore;
  logger: LoggerService;
}): Promise<{ upserted: number; removed: number; skipped: number }> {
  const { catalog, auth, store, logger } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const hosts = new Map<string, HostRecord>();
  let skipped = 0;
  for await (const page of catalog.streamEntities(
    {
      filter: { kind: 'resource', 'spec.type': 'host' },
      fields: ['kind', 'metadata', 'spec'],
      pageSize: SYNC_PAGE_SIZE,
    },
    { credentials },
  )) {
    for (const entity of page) {
      const record = entityToHostRecord(entity);
      if (record && !hosts.has(record.name)) hosts.set(record.name, record);
      else if (!record && !isCmdbEntity(entity)) skipped++;
    }
  }
  const result = await store.replaceCatalogHosts([...hosts.values()]);
  logger.info(
    `Synced catalog hosts into the CMDB index: ${hosts.size} present, ${result.removed} removed, ${skipped} skipped (no valid address/environment)`,
  );
  return { ...result, skipped };
}

function isCmdbEntity(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return Boolean(
    entity.metadata.annotations?.[
      'backstage.io/managed-by-location'
    ]?.startsWith('opsdeck-cmdb:'),
  );
}
