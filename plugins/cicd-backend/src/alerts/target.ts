import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { AlertTarget } from './AlertEngine';

/**
 * Whom a build of this entity alerts: the owner of spec.owner as a full
 * lower-case ref (`dev` in namespace default is `group:default/dev`), and
 * the entity's CI/CD tab as the link.
 */
export function alertTargetOf(
  entity: Entity,
  appBaseUrl?: string,
): AlertTarget {
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const namespace = entity.metadata.namespace ?? 'default';
  const raw = (entity.spec as { owner?: unknown } | undefined)?.owner;
  let owner: string | undefined;
  if (typeof raw === 'string' && raw) {
    try {
      owner = stringifyEntityRef(
        parseEntityRef(raw, {
          defaultKind: 'group',
          defaultNamespace: namespace,
        }),
      ).toLocaleLowerCase('en-US');
    } catch {
      owner = undefined;
    }
  }
  const path = `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    entity.kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(entity.metadata.name)}/ci-cd`;
  return {
    entityRef,
    owner,
    link: `${(appBaseUrl ?? '').replace(/\/+$/, '')}${path}`,
  };
}
