import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AuditEvent,
  AuditEventFacets,
  AuditEventPage,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';

function queryString(query: AuditEventQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** Reads the audit log from the audit backend plugin. */
export class AuditClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    return (await this.get(`/events${queryString(query)}`)).json();
  }

  async getEvent(id: number): Promise<AuditEvent> {
    return (await this.get(`/events/${id}`)).json();
  }

  async getFacets(): Promise<AuditEventFacets> {
    return (await this.get('/facets')).json();
  }

  /** The events matching the filters as CSV (the export is audited too). */
  async exportCsv(
    query: Omit<AuditEventQuery, 'before' | 'limit'>,
  ): Promise<Blob> {
    return (await this.get(`/events/export.csv${queryString(query)}`)).blob();
  }

  private async get(path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('audit');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
