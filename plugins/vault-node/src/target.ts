import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SecretTarget } from './model';

/** Catalog label that carries a resource's environment when spec has none. */
export const ENVIRONMENT_LABEL = 'opsdeck.io/environment';

function normalizedRef(
  value: unknown,
  defaultKind: string,
  defaultNamespace: string,
): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value.trim(), { defaultKind, defaultNamespace }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * The owner group ref of a credential or target: `ops`, `group:ops` and
 * `group:default/ops` all give `group:default/ops`; undefined when `value` is
 * not a valid ref.
 */
export function normalizeGroupRef(value: unknown): string | undefined {
  return normalizedRef(value, 'group', 'default');
}

/** A system ref in canonical form (`shop` gives `system:default/shop`). */
export function normalizeSystemRef(value: unknown): string | undefined {
  return normalizedRef(value, 'system', 'default');
}

/**
 * What a secret is taken out for when it serves a catalog entity (a host, a
 * database): its ref, owner (`spec.owner`), system (`spec.system`) and
 * environment (`spec.environment`, else the `opsdeck.io/environment` label),
 * read from the entity as the catalog holds it. Relative refs resolve in the
 * entity's namespace, as the catalog's own relations do.
 */
export function secretTargetOf(entity: Entity): SecretTarget {
  const namespace = entity.metadata.namespace ?? 'default';
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const label = entity.metadata.labels?.[ENVIRONMENT_LABEL];
  const environment =
    typeof spec.environment === 'string' && spec.environment
      ? spec.environment
      : label || undefined;
  return withoutUndefined({
    ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    owner: normalizedRef(spec.owner, 'group', namespace),
    system: normalizedRef(spec.system, 'system', namespace),
    environment,
  });
}

/**
 * The target of a host or database known by its own fields (a CMDB row, a
 * job's stored host): the same normalisation as {@link secretTargetOf}.
 */
export function secretTarget(fields: {
  ref: string;
  owner?: string;
  system?: string;
  environment?: string;
}): SecretTarget {
  const { namespace } = parseEntityRef(fields.ref, {
    defaultKind: 'resource',
    defaultNamespace: 'default',
  });
  return withoutUndefined({
    ref: fields.ref.toLocaleLowerCase('en-US'),
    owner: normalizedRef(fields.owner, 'group', namespace),
    system: normalizedRef(fields.system, 'system', namespace),
    environment: fields.environment || undefined,
  });
}

function withoutUndefined(target: SecretTarget): SecretTarget {
  const out: SecretTarget = { ref: target.ref };
  if (target.owner) out.owner = target.owner;
  if (target.system) out.system = target.system;
  if (target.environment) out.environment = target.environment;
  return out;
}

/**
 * The targets of catalog entities by ref, read from the catalog with
 * `credentials` (the caller's own service credentials: the vault's decision
 * must not depend on what a user may read). A ref the catalog does not know
 * maps to a target with the ref alone, which carries no owner and so passes
 * no owner check.
 */
export async function secretTargetsFromCatalog(
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>,
  credentials: BackstageCredentials,
  refs: string[],
): Promise<Map<string, SecretTarget>> {
  const unique = [...new Set(refs)];
  const targets = new Map<string, SecretTarget>();
  if (unique.length === 0) return targets;
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs: unique },
    { credentials },
  );
  unique.forEach((ref, i) => {
    const entity = items[i];
    targets.set(
      ref,
      entity ? secretTargetOf(entity) : { ref: ref.toLocaleLowerCase('en-US') },
    );
  });
  return targets;
}
