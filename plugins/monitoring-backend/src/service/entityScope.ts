import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';

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
  if (!unique.length) return new Set();
  const { items } = await catalog.getEntitiesByRefs(
    {
      entityRefs: unique,
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    },
    { credentials },
  );
  // items answer entityRefs in order, undefined where the caller reads none
  return new Set(unique.filter((_ref, i) => Boolean(items[i])));
}
