import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import type { HostRecord } from '../database/HostStore';
import { CMDB_LOCATION_PREFIX } from '../model/hosts';

function relationRef(
  value: string,
  defaultKind: string,
  defaultNamespace: string,
): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace }),
    );
  } catch {
    return undefined;
  }
}

/**
 * A host of the index as the catalog holds (or will hold) its entity: the
 * spec, labels, tags and the `ownedBy` / `partOf` relations the catalog's
 * built-in processor derives from `spec.owner` and `spec.system`. The
 * catalog's read conditions (`HAS_SPEC`, `IS_ENTITY_OWNER`, ...) are
 * applied to it, so a host that the catalog has not ingested yet is shown
 * to exactly those who will see its entity.
 */
export function indexEntity(host: HostRecord): Entity {
  const ref = parseEntityRef(host.entityRef, {
    defaultKind: 'resource',
    defaultNamespace: 'default',
  });
  const namespace = ref.namespace;
  const spec: JsonObject = {
    type: 'host',
    owner: host.owner,
    address: host.address,
    port: host.port,
    environment: host.environment,
  };
  if (host.system) spec.system = host.system;
  if (host.loginUser) spec.loginUser = host.loginUser;
  if (host.credential) spec.credential = host.credential;
  const metadata: Entity['metadata'] = {
    name: ref.name,
    namespace,
    labels: { 'opsdeck.io/environment': host.environment },
    tags: host.tags,
  };
  if (host.source === 'cmdb') {
    const location = `${CMDB_LOCATION_PREFIX}${host.name}`;
    metadata.title = host.name;
    metadata.annotations = {
      'backstage.io/managed-by-location': location,
      'backstage.io/managed-by-origin-location': location,
    };
  }
  if (host.description) metadata.description = host.description;
  const relations: NonNullable<Entity['relations']> = [];
  const owner = relationRef(host.owner, 'group', namespace);
  if (owner) relations.push({ type: 'ownedBy', targetRef: owner });
  const system = host.system
    ? relationRef(host.system, 'system', namespace)
    : undefined;
  if (system) relations.push({ type: 'partOf', targetRef: system });
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata,
    spec,
    relations,
  };
}
