import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';

/**
 * The hosts a selector matches that the signed-in user may see
 * (`POST /api/cmdb/hosts/resolve`, the CMDB's host index, so hosts
 * registered a moment ago count): the first `limit` and how many there are.
 */
export async function resolveHosts(
  apis: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  selector: HostSelector,
  limit?: number,
): Promise<{ items: HostTarget[]; total: number }> {
  const baseUrl = await apis.discoveryApi.getBaseUrl('cmdb');
  const response = await apis.fetchApi.fetch(`${baseUrl}/hosts/resolve`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(
      limit === undefined ? { selector } : { selector, limit },
    ),
  });
  if (!response.ok) throw await ResponseError.fromResponse(response);
  return response.json();
}
