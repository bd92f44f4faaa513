import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  hasHostCriteria,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-common';
import { unmatchedNames, type HostsService } from '@opsdeck/plugin-cmdb-node';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { NewDistributionHost } from '../database/DistributionStore';

/**
 * The hosts a distribution writes to: the request's `hosts` (names or refs),
 * `owner`, `system`, `environment` and `tags` (and `tag`) as cmdb-common's one selector, resolved with
 * the caller's credentials by cmdb-node's host service (the CMDB's host
 * index). InputError when a named host is unknown (or has
 * no address) or nothing matches.
 */
export async function distributionHosts(
  hostsService: HostsService,
  credentials: BackstageCredentials,
  request: {
    hosts?: string[];
    owner?: string;
    system?: string;
    environment?: string;
    tag?: string;
    tags?: string[];
  },
): Promise<NewDistributionHost[]> {
  const selector: HostSelector = {};
  if (request.hosts?.length) selector.names = request.hosts;
  if (request.owner) selector.owner = request.owner;
  if (request.system) selector.system = request.system;
  if (request.environment) selector.environment = request.environment;
  const tags = [...(request.tags ?? []), ...(request.tag ? [request.tag] : [])];
  if (tags.length > 0) selector.tags = tags;
  if (!hasHostCriteria(selector)) {
    throw coded(
      new InputError(
        'Select hosts: names, or an owner, system, environment or tags',
      ),
      'files-hosts-none-selected',
    );
  }
  const hosts = await hostsService.resolveHosts(selector, { credentials });
  const missing = unmatchedNames(selector, hosts);
  if (missing.length > 0) {
    throw coded(
      new InputError(
        `Unknown hosts (not in the CMDB, or without an address): ${missing.join(
          ', ',
        )}`,
      ),
      'files-hosts-unknown',
      { hosts: missing.join(', ') },
    );
  }
  if (hosts.length === 0) {
    throw coded(
      new InputError('The selector matches no host'),
      'files-hosts-no-match',
    );
  }
  return hosts.map(h => ({
    host: h.entityRef,
    address: h.address,
    port: h.port,
    loginUser: h.loginUser,
    credential: h.credential,
    environment: h.environment,
  }));
}
