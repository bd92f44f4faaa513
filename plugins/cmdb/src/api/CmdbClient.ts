import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { AuditEventPage } from '@opsdeck/plugin-opsdeck-common';
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
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && String(value).trim() !== '') {
      params.set(key, String(value).trim());
    }
  }
  return params;
}

/** Talks to the CMDB backend (`/api/cmdb`) and the audit backend. */
export class CmdbClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  /** One page of hosts matching the filters. */
  async listHosts(query: HostListQuery): Promise<HostPage> {
    const qs = toSearchParams(query).toString();
    return this.request<HostPage>('cmdb', `/hosts${qs ? `?${qs}` : ''}`);
  }

  /** URL of the CSV export of every host matching the filters. */
  async exportUrl(filters: HostFilters): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cmdb');
    const qs = toSearchParams(filters).toString();
    return `${baseUrl}/hosts/export.csv${qs ? `?${qs}` : ''}`;
  }

  async getHost(name: string): Promise<HostDetail> {
    return this.request<HostDetail>(
      'cmdb',
      `/hosts/${encodeURIComponent(name)}`,
    );
  }

  /** Collects the host's facts now and returns them. */
  async collectHost(name: string): Promise<HostDetail> {
    return this.request<HostDetail>(
      'cmdb',
      `/hosts/${encodeURIComponent(name)}/collect`,
      { method: 'POST' },
    );
  }

  /** Collects the facts of the named hosts (every host without names) now. */
  async collect(names?: string[]): Promise<CollectResult> {
    return this.request<CollectResult>('cmdb', '/collect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(names ? { names } : {}),
    });
  }

  /** The SSH host key pinned for the host's address and port. */
  async getHostKey(name: string): Promise<HostKey> {
    return this.request<HostKey>(
      'cmdb',
      `/hosts/${encodeURIComponent(name)}/host-key`,
    );
  }

  /** Pins the key the host offered, if it is still `fingerprint` (admins). */
  async acceptHostKey(name: string, fingerprint: string): Promise<void> {
    await this.request(
      'cmdb',
      `/hosts/${encodeURIComponent(name)}/host-key/accept`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ fingerprint }),
      },
    );
  }

  /** Drops the key the host offered (admins). */
  async rejectHostKey(name: string): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cmdb');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/hosts/${encodeURIComponent(name)}/host-key/reject`,
      { method: 'POST' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  /** Forgets the pinned host key (admins); the next key seen is pinned. */
  async resetHostKey(name: string): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cmdb');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/hosts/${encodeURIComponent(name)}/host-key`,
      { method: 'DELETE' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  /** The latest audit events about an entity, newest first. */
  async recentActivity(entityRef: string, limit = 10): Promise<AuditEventPage> {
    const qs = new URLSearchParams({ target: entityRef, limit: String(limit) });
    return this.request<AuditEventPage>('audit', `/events?${qs}`);
  }

  private async request<T>(
    pluginId: string,
    path: string,
    init?: RequestInit,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(pluginId);
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
