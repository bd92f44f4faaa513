import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type BackstageCredentials,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';
import { HostsClient } from './HostsClient';

/**
 * Hosts for backend plugins: a host selector or a name to SSH targets, from
 * the CMDB's host index (a host is there the moment it is registered), as
 * the catalog's read permission lets the caller see them.
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
 * The host service; its default factory asks the CMDB plugin
 * (`POST /api/cmdb/hosts/resolve`) on behalf of the caller, so a plugin
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
        deps: {
          discovery: coreServices.discovery,
          auth: coreServices.auth,
        },
        factory: ({ discovery, auth }) => new HostsClient({ discovery, auth }),
      }),
  });
