import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { AuditEventPage } from '@opsdeck/plugin-opsdeck-common';
import {
  OpenApiClient,
  type OpenApiClientOptions,
} from '@opsdeck/plugin-opsdeck-common/client';
import {
  CmdbApiClient,
  type CmdbOperations as Operations,
} from '@opsdeck/plugin-cmdb-react';
import type {
  CollectResult,
  HostDetail,
  HostFilters,
  HostKey,
  HostListQuery,
  HostPage,
} from './types';

/** Query string of the given filters, leaving out empty values. */
export function toSearchParams(
  query: HostListQuery | HostFilters,
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(cleaned(query))) {
    params.set(key, String(value));
  }
  return params;
}

/** The filters with text values trimmed and empty values left out. */
function cleaned<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).flatMap(([key, value]) =>
      value === undefined || value === null || String(value).trim() === ''
        ? []
        : [[key, typeof value === 'string' ? value.trim() : value]],
    ),
  ) as T;
}

type ListHostsQuery = NonNullable<Operations['listHosts']['request']['query']>;

/**
 * The audit backend's event list, read on the shared OpenAPI runtime: the
 * audit plugin's generated client lives in a frontend plugin, which another
 * frontend plugin may not import.
 */
class AuditEvents extends OpenApiClient {
  constructor(options: OpenApiClientOptions) {
    super('audit', options);
  }

  list(query: { target: string; limit: number }): Promise<AuditEventPage> {
    return this.send('GET', '/events', 'json', { query });
  }
}

/**
 * Talks to the CMDB backend (`/api/cmdb`) through the generated client
 * (exported by @opsdeck/plugin-cmdb-react), and reads an entity's recent audit
 * events; it builds no request URL and sends no request itself.
 */
export class CmdbClient {
  private readonly api: CmdbApiClient;
  private readonly audit: AuditEvents;

  constructor(private readonly discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new CmdbApiClient({ discoveryApi, fetchApi });
    this.audit = new AuditEvents({ discoveryApi, fetchApi });
  }

  /** One page of hosts matching the filters. */
  listHosts(query: HostListQuery): Promise<HostPage> {
    return this.api.listHosts({ query: cleaned(query) as ListHostsQuery });
  }

  /**
   * URL of the CSV export of every host matching the filters: the export
   * link's target (the download itself goes through {@link exportCsv}).
   */
  async exportUrl(filters: HostFilters): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cmdb');
    const qs = toSearchParams(filters).toString();
    return `${baseUrl}/hosts/export.csv${qs ? `?${qs}` : ''}`;
  }

  /** The CSV of every host matching the filters (sent with the user's token). */
  async exportCsv(filters: HostFilters): Promise<Blob> {
    const response = await this.api.exportHostsCsv({
      query: cleaned(filters) as ListHostsQuery,
    });
    return response.blob();
  }

  getHost(name: string): Promise<HostDetail> {
    return this.api.getHost({ path: { name } });
  }

  /** Collects the host's facts now and returns them. */
  collectHost(name: string): Promise<HostDetail> {
    return this.api.collectHostFacts({ path: { name } });
  }

  /** Collects the facts of the named hosts (every host without names) now. */
  collect(names?: string[]): Promise<CollectResult> {
    return this.api.collectFacts({ body: names ? { names } : {} });
  }

  /** The SSH host key pinned for the host's address and port. */
  getHostKey(name: string): Promise<HostKey> {
    return this.api.getHostKey({ path: { name } });
  }

  /** Pins the key the host offered, if it is still `fingerprint` (admins). */
  async acceptHostKey(name: string, fingerprint: string): Promise<void> {
    await this.api.acceptHostKey({ path: { name }, body: { fingerprint } });
  }

  /** Drops the key the host offered (admins). */
  async rejectHostKey(name: string): Promise<void> {
    await this.api.rejectHostKey({ path: { name } });
  }

  /** Forgets the pinned host key (admins); the next key seen is pinned. */
  async resetHostKey(name: string): Promise<void> {
    await this.api.resetHostKey({ path: { name } });
  }

  /** The latest audit events about an entity, newest first. */
  recentActivity(entityRef: string, limit = 10): Promise<AuditEventPage> {
    return this.audit.list({ target: entityRef, limit });
  }
}
