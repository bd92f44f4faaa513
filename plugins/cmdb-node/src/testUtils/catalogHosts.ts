import {
  createServiceFactory,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
import {
  hasHostCriteria,
  hostFromEntity,
  selectorMatches,
  selectorToCatalogFilter,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';
import { hostsServiceRef, type HostsService } from '../service';

/**
 * The catalog hosts the selector matches, as SSH targets sorted by entity
 * ref, read with `credentials`: the host service's semantics over an
 * in-memory catalog, for tests of plugins that use hosts without a CMDB.
 */
export async function resolveCatalogHosts(
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

/** A {@link HostsService} over a catalog (see {@link resolveCatalogHosts}). */
export function catalogHostsService(catalog: CatalogService): HostsService {
  return {
    resolveHosts: (selector, { credentials }) =>
      resolveCatalogHosts(catalog, selector, credentials),
    getHost: async (nameOrRef, { credentials }) => {
      const hosts = await resolveCatalogHosts(
        catalog,
        { names: [nameOrRef] },
        credentials,
      ).catch(() => []);
      return hosts[0];
    },
  };
}

/**
 * A `hostsServiceRef` factory over the test backend's catalog service (e.g.
 * `catalogServiceMock.factory({ entities })`), for tests without a CMDB.
 */
export const catalogHostsServiceFactory = createServiceFactory({
  service: hostsServiceRef,
  deps: { catalog: catalogServiceRef },
  factory: ({ catalog }) => catalogHostsService(catalog),
});
