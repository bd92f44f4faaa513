import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** Refs per catalog `getEntitiesByRefs` call (a large scope is asked in batches). */
export const CATALOG_BATCH = 500;

/**
 * Which of `refs` (lower-case full entity refs) the catalog shows the
 * caller: the owner scoping of every list of things tied to one entity
 * (silences, probes, alerts). The catalog, read with the caller's credentials and
 * its permission rules, decides; a ref it does not return is not readable.
 */
export async function readableEntityRefs(
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>,
  refs: Iterable<string>,
  credentials: BackstageCredentials,
): Promise<Set<string>> {
  const unique = [...new Set(refs)];
  const readable = new Set<string>();
  for (let i = 0; i < unique.length; i += CATALOG_BATCH) {
    const batch = unique.slice(i, i + CATALOG_BATCH);
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: batch,
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    // items answer entityRefs in order, undefined where the caller reads none
    batch.forEach((ref, j) => {
      if (items[j]) readable.add(ref);
    });
  }
  return readable;
}

/**
 * The entity refs of alerts a caller may read, out of `refs` (those alerts
 * were received for): the ones the catalog shows the caller and, for those
 * who manage rules (`manager`), the ones the catalog no longer has at all
 * (a decommissioned or deleted host). "No longer has" is decided with the
 * plugin's own credentials (`service`), never the caller's: an entity that
 * exists but is hidden from the caller stays unreadable, and nobody who
 * does not manage rules learns which entities are gone.
 */
export async function alertEntityScope(
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>,
  refs: Iterable<string>,
  caller: { credentials: BackstageCredentials; manager: boolean },
  service: () => Promise<BackstageCredentials>,
): Promise<Set<string>> {
  const unique = [...new Set(refs)];
  const readable = await readableEntityRefs(
    catalog,
    unique,
    caller.credentials,
  );
  if (!caller.manager) return readable;
  const unreadable = unique.filter(ref => !readable.has(ref));
  if (!unreadable.length) return readable;
  const existing = await readableEntityRefs(
    catalog,
    unreadable,
    await service(),
  );
  for (const ref of unreadable) {
    if (!existing.has(ref)) readable.add(ref);
  }
  return readable;
}
