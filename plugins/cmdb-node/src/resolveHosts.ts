import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  hasHostCriteria,
  hostFromEntity,
  selectorMatches,
  selectorToCatalogFilter,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';

/**
 * The catalog hosts the selector matches (see cmdb-common's README for the
 * meaning of each field), as SSH targets sorted by entity ref. The catalog
 * is read with `credentials` (the person's, for a request), so its read
 * permissions decide which hosts exist for them. Entities that are not
 * usable hosts (no address) are left out. InputError when the selector
 * gives no field.
 */
export async function resolveHosts(
  catalog: CatalogService,
  selector: HostSelector,
  credentials: BackstageCredentials,
): Promise<HostTarget[]> {
  if (!hasHostCriteria(selector)) {
    throw new InputError(
      'A host selector needs at least one of names, owner, system, environment, tags',
    );
  }
  const { items } = await catalog.getEntities(
    { filter: selectorToCatalogFilter(selector) },
    { credentials },
  );
  const hosts: HostTarget[] = [];
  for (const entity of items) {
    const host = hostFromEntity(entity);
    if (host && selectorMatches(selector, host)) hosts.push(host);
  }
  return hosts.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
}

/**
 * One host by name or ref (`web-01` is `resource:default/web-01`) as an SSH
 * target; undefined when the catalog (read with `credentials`) has no usable
 * host by that ref.
 */
export async function getHost(
  catalog: CatalogService,
  nameOrRef: string,
  credentials: BackstageCredentials,
): Promise<HostTarget | undefined> {
  const hosts = await resolveHosts(
    catalog,
    { names: [nameOrRef] },
    credentials,
  ).catch(() => []);
  return hosts[0];
}
