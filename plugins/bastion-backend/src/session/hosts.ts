import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';

/** What the bastion needs to know about a host entity (catalog `Resource` of type host). */
export type BastionHost = {
  name: string;
  entityRef: string;
  address: string;
  port: number;
  loginUser?: string;
  credential?: string;
  environment?: string;
  /** Full entity ref, e.g. `group:default/ops`. */
  owner?: string;
  /** Full entity ref, e.g. `system:default/payments`. */
  system?: string;
  tags: string[];
};

/** `ops` → `group:default/ops`; full refs are normalised (lower case). */
export function normalizeRef(
  ref: string | undefined,
  defaultKind: string,
): string | undefined {
  if (!ref) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The bastion's view of a host entity; undefined when the entity is not a usable host. */
export function hostFromEntity(entity: Entity): BastionHost | undefined {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    spec.type !== 'host' ||
    typeof spec.address !== 'string'
  ) {
    return undefined;
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const environment =
    str(spec.environment) ?? entity.metadata.labels?.['opsdeck.io/environment'];
  return {
    name: entity.metadata.name,
    entityRef: stringifyEntityRef(entity),
    address: spec.address,
    port: typeof spec.port === 'number' ? spec.port : 22,
    loginUser: str(spec.loginUser),
    credential: str(spec.credential),
    environment,
    owner: normalizeRef(str(spec.owner), 'group'),
    system: normalizeRef(str(spec.system), 'system'),
    tags: (entity.metadata.tags ?? []).map(t => t.toLocaleLowerCase('en-US')),
  };
}

/** Finds host entities by name. */
export interface HostDirectory {
  getHost(name: string): Promise<BastionHost | undefined>;
}
