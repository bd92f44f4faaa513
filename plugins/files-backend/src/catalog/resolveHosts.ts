import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NewDistributionHost } from '../database/DistributionStore';

export type HostSelector = {
  /** Host names or entity refs (`resource:default/web-01`). */
  hosts?: string[];
  /** Every host with this spec.owner / spec.system / tag. */
  owner?: string;
  system?: string;
  tag?: string;
};

/**
 * Resolves a selector to catalog hosts (kind Resource, spec.type host), as the
 * caller sees the catalog, so catalog read permissions apply.
 */
export async function resolveHosts(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  selector: HostSelector,
): Promise<NewDistributionHost[]> {
  const filter: Record<string, string | string[]> = {
    kind: 'Resource',
    'spec.type': 'host',
  };
  const refs = new Set<string>();
  if (selector.hosts?.length) {
    for (const h of selector.hosts) {
      const ref = parseEntityRef(h, {
        defaultKind: 'resource',
        defaultNamespace: 'default',
      });
      refs.add(stringifyEntityRef(ref));
    }
    filter['metadata.name'] = [
      ...new Set([...refs].map(r => parseEntityRef(r).name)),
    ];
  }
  if (selector.owner) filter['spec.owner'] = selector.owner;
  if (selector.system) filter['spec.system'] = selector.system;
  if (selector.tag) filter['metadata.tags'] = selector.tag;
  if (
    !selector.hosts?.length &&
    !selector.owner &&
    !selector.system &&
    !selector.tag
  ) {
    throw new InputError('Select hosts: names, or an owner, system or tag');
  }

  const { items } = await catalog.getEntities({ filter }, { credentials });
  const hosts: NewDistributionHost[] = [];
  for (const entity of items) {
    const ref = stringifyEntityRef(entity);
    if (refs.size > 0 && !refs.has(ref)) continue;
    const spec = (entity.spec ?? {}) as Record<string, unknown>;
    if (typeof spec.address !== 'string' || !spec.address) continue;
    const environment =
      typeof spec.environment === 'string'
        ? spec.environment
        : entity.metadata.labels?.['opsdeck.io/environment'];
    hosts.push({
      host: ref,
      address: spec.address,
      port: typeof spec.port === 'number' ? spec.port : 22,
      loginUser:
        typeof spec.loginUser === 'string' ? spec.loginUser : undefined,
      credential:
        typeof spec.credential === 'string' ? spec.credential : undefined,
      environment: environment || undefined,
    });
  }
  const missing = [...refs].filter(r => !hosts.some(h => h.host === r));
  if (missing.length > 0) {
    throw new InputError(
      `Unknown hosts (not in the catalog, or without an address): ${missing.join(
        ', ',
      )}`,
    );
  }
  if (hosts.length === 0) {
    throw new InputError('The selector matches no host in the catalog');
  }
  hosts.sort((a, b) => a.host.localeCompare(b.host));
  return hosts;
}
