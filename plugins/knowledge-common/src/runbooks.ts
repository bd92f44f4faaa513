import {
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  RELATION_DEPENDENCY_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * Annotation naming more entities whose runbooks apply to this one, as a
 * comma-separated list of entity refs (`component:default/storefront-web`).
 */
export const RUNBOOKS_ANNOTATION = 'opsdeck.io/runbooks';

/** The TechDocs annotation: an entity with it has docs of its own. */
export const TECHDOCS_ANNOTATION = 'backstage.io/techdocs-ref';

/** Runbooks are the pages of a docs site under this folder. */
export const RUNBOOK_FOLDER = 'runbooks/';

/** One runbook: a page of an entity's TechDocs. */
export interface Runbook {
  /** Entity whose docs hold the page. */
  entityRef: string;
  title: string;
  /** Page location inside the site, e.g. `runbooks/disk-full/`. */
  location: string;
  /** Path of the page in the portal (`/docs/<ns>/<kind>/<name>/<location>`). */
  path: string;
}

/**
 * Entities whose TechDocs hold the runbooks of `entity`, in order, without
 * duplicates:
 *
 * 1. the entity itself, when it has TechDocs;
 * 2. the entities named by the `opsdeck.io/runbooks` annotation;
 * 3. the entities that depend on it (`dependencyOf` relations: a host's or
 *    database's runbooks are those of the services running on it).
 */
export function runbookSources(entity: Entity): CompoundEntityRef[] {
  const refs: string[] = [];
  if (entity.metadata.annotations?.[TECHDOCS_ANNOTATION]) {
    refs.push(stringifyEntityRef(entity));
  }
  const annotated = entity.metadata.annotations?.[RUNBOOKS_ANNOTATION] ?? '';
  for (const raw of annotated.split(',')) {
    const ref = raw.trim();
    if (!ref) continue;
    try {
      refs.push(
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'component',
            defaultNamespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
          }),
        ),
      );
    } catch {
      // not an entity ref: ignored, as the catalog ignores unknown annotations
    }
  }
  for (const relation of entity.relations ?? []) {
    if (relation.type === RELATION_DEPENDENCY_OF) {
      refs.push(relation.targetRef);
    }
  }
  return [...new Set(refs.map(r => r.toLocaleLowerCase('en-US')))].map(r =>
    parseEntityRef(r),
  );
}

/** Path of an entity's docs (or a page of them) in the portal. */
export function docsPath(ref: CompoundEntityRef, location = ''): string {
  const ns = encodeURIComponent(ref.namespace.toLocaleLowerCase('en-US'));
  const kind = encodeURIComponent(ref.kind.toLocaleLowerCase('en-US'));
  const name = encodeURIComponent(ref.name.toLocaleLowerCase('en-US'));
  return `/docs/${ns}/${kind}/${name}/${location}`;
}

/** A TechDocs search index (`search/search_index.json` of a built site). */
export interface MkdocsSearchIndex {
  docs?: { location?: string; title?: string }[];
}

/**
 * The runbooks in one entity's built docs: the pages (not their sections)
 * under `runbooks/` of its MkDocs search index, in site order.
 */
export function runbooksFromSearchIndex(
  ref: CompoundEntityRef,
  index: MkdocsSearchIndex,
): Runbook[] {
  const seen = new Set<string>();
  const out: Runbook[] = [];
  for (const doc of index.docs ?? []) {
    const location = doc.location ?? '';
    if (!location.startsWith(RUNBOOK_FOLDER) || location.includes('#')) {
      continue;
    }
    if (location === RUNBOOK_FOLDER || seen.has(location)) continue;
    seen.add(location);
    out.push({
      entityRef: stringifyEntityRef(ref),
      title: doc.title || location,
      location,
      path: docsPath(ref, location),
    });
  }
  return out;
}
