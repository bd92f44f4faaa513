import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** The kinds of catalog Resource the form fields pick. */
export type ResourceType = 'host' | 'database';

/**
 * The server-side check behind OpsdeckHostPicker / OpsdeckDatabasePicker: the
 * form's value is only a string, so every action that acts on it looks the
 * entity up again and refuses one that is missing or of another type.
 */
export async function resolveResource(
  catalog: CatalogService,
  ref: string,
  type: ResourceType,
  credentials: BackstageCredentials,
): Promise<{ entity: Entity; entityRef: string }> {
  let parsed;
  try {
    parsed = parseEntityRef(ref.trim(), {
      defaultKind: 'resource',
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(`"${ref}" is not an entity reference`);
  }
  const entityRef = stringifyEntityRef(parsed);
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new InputError(`${entityRef} does not exist in the catalog`);
  }
  const actual = (entity.spec as { type?: unknown } | undefined)?.type;
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    actual !== type
  ) {
    throw new InputError(
      `${entityRef} is a ${entity.kind}${
        typeof actual === 'string' ? ` of type ${actual}` : ''
      }, not a ${type} (Resource of type ${type})`,
    );
  }
  return { entity, entityRef };
}

/** Checks every ref; the first bad one fails the whole list. */
export async function resolveResources(
  catalog: CatalogService,
  refs: string[],
  type: ResourceType,
  credentials: BackstageCredentials,
): Promise<Array<{ entity: Entity; entityRef: string }>> {
  if (refs.length === 0) throw new InputError(`Choose at least one ${type}`);
  const out = [];
  for (const ref of new Set(refs)) {
    out.push(await resolveResource(catalog, ref, type, credentials));
  }
  return out;
}
