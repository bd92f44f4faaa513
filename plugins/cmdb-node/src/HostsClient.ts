import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import {
  hasHostCriteria,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';
import type { HostsService } from './service';

/**
 * {@link HostsService} over the CMDB's API (`POST /api/cmdb/hosts/resolve`),
 * called on behalf of the caller: the CMDB resolves the selector from its
 * host index and applies the catalog's read permission for that person.
 */
export class HostsClient implements HostsService {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async resolveHosts(
    selector: HostSelector,
    options: { credentials: BackstageCredentials },
  ): Promise<HostTarget[]> {
    if (!hasHostCriteria(selector)) {
      throw new InputError(
        'A host selector needs at least one of names, owner, system, environment, tags',
      );
    }
    const { auth, discovery } = this.deps;
    // A service is not subject to the permission policy, but its token may be
    // restricted to the calling plugin: ask as this plugin instead.
    const onBehalfOf = auth.isPrincipal(options.credentials, 'service')
      ? await auth.getOwnServiceCredentials()
      : options.credentials;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: 'cmdb',
    });
    const baseUrl = await discovery.getBaseUrl('cmdb');
    const response = await (this.deps.fetch ?? fetch)(
      `${baseUrl}/hosts/resolve`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ selector }),
      },
    );
    if (response.status === 400) {
      const body = await response.json().catch(() => undefined);
      throw new InputError(
        body?.error?.message ?? 'The CMDB refused the host selector',
      );
    }
    // catalog.entity.read denied outright: like the catalog, no host exists for them
    if (response.status === 403) return [];
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const { items } = (await response.json()) as { items: HostTarget[] };
    return items;
  }

  async getHost(
    nameOrRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<HostTarget | undefined> {
    let hosts: HostTarget[];
    try {
      hosts = await this.resolveHosts({ names: [nameOrRef] }, options);
    } catch (e) {
      if ((e as Error).name === 'InputError') return undefined;
      throw e;
    }
    return hosts[0];
  }
}
