import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { entityCatalogPath } from '@opsdeck/plugin-opsdeck-common';
import { createHash } from 'node:crypto';
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
  const path = `${entityCatalogPath({
    kind: entity.kind,
    namespace,
    name: entity.metadata.name,
  })}/ci-cd`;
  return {
    entityRef,
    owner,
    link: `${(appBaseUrl ?? '').replace(/\/+$/, '')}${path}`,
  };
}

/**
 * The alert state of a job is the entity's own: anyone can name another
 * team's Jenkins job (or a CI job name like `test`) on an entity, and that
 * must neither take the alert from the job's owner nor silence it.
 */
export function alertKeyOf(entityRef: string, job: string): string {
  const entity = createHash('sha256').update(entityRef).digest('hex');
  return `${job}@${entity.slice(0, 24)}`;
}
