import {
  createServiceFactory,
  createServiceRef,
  type BackstageCredentials,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';
import { getHost, resolveHosts } from './resolveHosts';

/**
 * Hosts for backend plugins: a host selector or a name to SSH targets, read
 * from the catalog with the caller's credentials.
 *
 * @public
 */
export interface HostsService {
  /** The hosts the selector matches, sorted by entity ref (see cmdb-common's README). */
  resolveHosts(
    selector: HostSelector,
    options: { credentials: BackstageCredentials },
  ): Promise<HostTarget[]>;
  /** One host by name or ref; undefined when the caller cannot see a usable host by it. */
  getHost(
    nameOrRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<HostTarget | undefined>;
}

/**
 * The host service; its default factory reads the catalog, so a plugin
 * depends on it without any backend wiring.
 *
 * @public
 */
export const hostsServiceRef: ServiceRef<HostsService, 'plugin', 'singleton'> =
  createServiceRef<HostsService>({
    id: 'opsdeck.cmdb.hosts',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { catalog: catalogServiceRef },
        factory: ({ catalog }) => ({
          resolveHosts: (selector, { credentials }) =>
            resolveHosts(catalog, selector, credentials),
          getHost: (nameOrRef, { credentials }) =>
            getHost(catalog, nameOrRef, credentials),
        }),
      }),
  });
