import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';

/** Catalog label that carries a host's environment when `spec.environment` is empty. */
export const HOST_ENVIRONMENT_LABEL = 'opsdeck.io/environment';

/**
 * Which hosts a feature (a job run, a file distribution, a bastion grant or
 * rule, a ticket) targets. Every given field must match; a selector that
 * gives no field matches no host. One meaning per field, see the README:
 *
 * - `names`: host names (`web-01`, the `default` namespace) or entity refs
 *   (`resource:ops/web-01`); the host is any one of them.
 * - `owner`: the host's `spec.owner`, as a ref (`ops`, `group:ops` and
 *   `group:default/ops` are the same owner; `user:bob` names a user).
 * - `system`: the host's `spec.system`, as a ref (`shop` = `system:default/shop`).
 * - `environment`: the host's `spec.environment`, else its
 *   `opsdeck.io/environment` label; exact.
 * - `tags`: the host carries every one of them (case-insensitive).
 */
export type HostSelector = {
  names?: string[];
  owner?: string;
  system?: string;
  environment?: string;
  tags?: string[];
};

/** A host entity as an SSH target, with what selectors and policies match on. */
export type HostTarget = {
  /** `metadata.name`. */
  name: string;
  /** `resource:<namespace>/<name>`. */
  entityRef: string;
  address: string;
  port: number;
  loginUser?: string;
  /** Vault credential name. */
  credential?: string;
  /** Full lower-case ref, relative refs resolved in the host's namespace (`group:default/ops`). */
  owner?: string;
  /** Full lower-case ref (`system:default/shop`). */
  system?: string;
  environment?: string;
  /** Lower case. */
  tags: string[];
};

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function normalizedRef(
  value: unknown,
  defaultKind: string,
  defaultNamespace = 'default',
): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return lower(
      stringifyEntityRef(
        parseEntityRef(value.trim(), { defaultKind, defaultNamespace }),
      ),
    );
  } catch {
    return undefined;
  }
}

/** `web-01` → `resource:default/web-01`; refs normalised to lower case; undefined when not a ref. */
export function hostRefOf(name: string): string | undefined {
  return normalizedRef(name, 'resource');
}

/** True when the selector gives at least one field. */
export function hasHostCriteria(selector: HostSelector): boolean {
  return Boolean(
    (selector.names && selector.names.length > 0) ||
      selector.owner ||
      selector.system ||
      selector.environment ||
      (selector.tags && selector.tags.length > 0),
  );
}

/**
 * The SSH target of a catalog entity; undefined unless it is a usable host
 * (kind Resource, `spec.type: host`, a non-empty `spec.address`).
 */
export function hostFromEntity(entity: Entity): HostTarget | undefined {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (
    lower(entity.kind) !== 'resource' ||
    spec.type !== 'host' ||
    typeof spec.address !== 'string' ||
    !spec.address
  ) {
    return undefined;
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const namespace = entity.metadata.namespace ?? 'default';
  const environment =
    str(spec.environment) ??
    str(entity.metadata.labels?.[HOST_ENVIRONMENT_LABEL]);
  const target: HostTarget = {
    name: entity.metadata.name,
    entityRef: stringifyEntityRef(entity),
    address: spec.address,
    port:
      typeof spec.port === 'number' && Number.isInteger(spec.port)
        ? spec.port
        : 22,
    tags: (entity.metadata.tags ?? [])
      .filter(t => typeof t === 'string')
      .map(lower),
  };
  const loginUser = str(spec.loginUser);
  const credential = str(spec.credential);
  const owner = normalizedRef(spec.owner, 'group', namespace);
  const system = normalizedRef(spec.system, 'system', namespace);
  if (loginUser) target.loginUser = loginUser;
  if (credential) target.credential = credential;
  if (owner) target.owner = owner;
  if (system) target.system = system;
  if (environment) target.environment = environment;
  return target;
}

/** True when the host matches every field the selector gives (an empty selector matches nothing). */
export function selectorMatches(
  selector: HostSelector,
  host: HostTarget,
): boolean {
  if (!hasHostCriteria(selector)) return false;
  if (selector.names && selector.names.length > 0) {
    const ref = lower(host.entityRef);
    if (!selector.names.some(n => hostRefOf(n) === ref)) return false;
  }
  if (selector.owner && normalizedRef(selector.owner, 'group') !== host.owner) {
    return false;
  }
  if (
    selector.system &&
    normalizedRef(selector.system, 'system') !== host.system
  ) {
    return false;
  }
  if (selector.environment && selector.environment !== host.environment) {
    return false;
  }
  if (
    selector.tags &&
    !selector.tags.every(t => host.tags.includes(lower(t)))
  ) {
    return false;
  }
  return true;
}

/**
 * A catalog filter that returns at least every host the selector matches
 * (kind Resource, type host, and the names when given); apply
 * {@link selectorMatches} to what it returns for the exact meaning.
 */
export function selectorToCatalogFilter(
  selector: HostSelector,
): Record<string, string | string[]> {
  const filter: Record<string, string | string[]> = {
    kind: 'Resource',
    'spec.type': 'host',
  };
  if (selector.names && selector.names.length > 0) {
    const names = selector.names
      .map(n => hostRefOf(n))
      .filter((r): r is string => Boolean(r))
      .map(r => parseEntityRef(r).name);
    filter['metadata.name'] = [...new Set(names)];
  }
  if (selector.tags && selector.tags.length > 0) {
    filter['metadata.tags'] = selector.tags[0];
  }
  return filter;
}

/** The selector's `names` that none of `hosts` is (as normalised refs). */
export function unmatchedNames(
  selector: HostSelector,
  hosts: HostTarget[],
): string[] {
  const refs = new Set(hosts.map(h => lower(h.entityRef)));
  return (selector.names ?? []).filter(n => {
    const ref = hostRefOf(n);
    return !ref || !refs.has(ref);
  });
}
