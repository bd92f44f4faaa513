import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { HostSelector } from '@opsdeck/plugin-cmdb-common';
import {
  DefaultApiClient,
  type ResolveHostsResponse,
} from './schema/openapi.client.generated';

/**
 * The hosts a selector matches that the signed-in user may see
 * (`POST /api/cmdb/hosts/resolve` through the generated client, the CMDB's
 * host index, so hosts registered a moment ago count): the first `limit` and
 * how many there are.
 */
export function resolveHosts(
  apis: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  selector: HostSelector,
  limit?: number,
): Promise<ResolveHostsResponse> {
  return new DefaultApiClient(apis).resolveHosts({
    body: limit === undefined ? { selector } : { selector, limit },
  });
}
