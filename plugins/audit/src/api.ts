import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AuditEventFacets,
  AuditEventPage,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';

/** Reads the audit log from the audit backend plugin. */
export class AuditClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    return this.get<AuditEventPage>(`/events${qs ? `?${qs}` : ''}`);
  }

  async getFacets(): Promise<AuditEventFacets> {
    return this.get<AuditEventFacets>('/facets');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('audit');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
