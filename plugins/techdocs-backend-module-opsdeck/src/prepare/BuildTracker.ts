import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/** What the preparer knew about a build that the generator reports. */
export interface PreparedBuild {
  entityRef: string;
  /** The entity's owner (spec.owner as a ref), for per-team reports. */
  owner?: string;
  /** True when no docs had been published for the entity before. */
  isNew: boolean;
  /** Markdown pages in the site, when the preparer counted them. */
  pages?: number;
}

function ownerRef(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  const withKind = owner.includes(':') ? owner : `group:${owner}`;
  const [kind, rest] = withKind.split(':', 2);
  return `${kind}:${
    rest.includes('/') ? rest : `default/${rest}`
  }`.toLowerCase();
}

/**
 * Hands what the preparer knows (which entity, first build or not) to the
 * generator, which TechDocs calls with the prepared directory only. Keyed by
 * that directory, which is unique per build.
 */
export class BuildTracker {
  private readonly builds = new Map<string, PreparedBuild>();

  prepared(dir: string, entity: Entity, storedEtag?: string, pages?: number) {
    this.builds.set(dir, {
      entityRef: stringifyEntityRef(entity),
      owner: ownerRef(entity),
      isNew: !storedEtag,
      pages,
    });
  }

  /** The build prepared in `dir`, forgotten once taken. */
  take(dir: string): PreparedBuild | undefined {
    const build = this.builds.get(dir);
    this.builds.delete(dir);
    return build;
  }
}
