import type { AuthService } from '@backstage/backend-plugin-api';
import type { HostsService } from '@opsdeck/plugin-cmdb-node';
import { HOST_NAME, type HostDirectory } from './hosts';

/**
 * Hosts from the CMDB's host index (`resource:default/<name>`, through
 * cmdb-node's host service), read as the bastion itself: a host registered a
 * moment ago can be opened before the catalog has ingested it.
 */
export function createHostDirectory(options: {
  hosts: HostsService;
  auth: AuthService;
}): HostDirectory {
  return {
    async getHost(name) {
      if (!HOST_NAME.test(name)) return undefined;
      return options.hosts.getHost(`resource:default/${name}`, {
        credentials: await options.auth.getOwnServiceCredentials(),
      });
    },
    async resolveHosts(selector) {
      return options.hosts.resolveHosts(selector, {
        credentials: await options.auth.getOwnServiceCredentials(),
      });
    },
  };
}
