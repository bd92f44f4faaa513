import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type {
  AuditEvent,
  AuditEventFacets,
  AuditEventPage,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';
import { DefaultApiClient } from './schema/openapi.client.generated';

/**
 * Reads the audit log through the generated client
 * (schema/openapi.client.generated.ts); it builds no URL and sends no
 * request itself.
 */
export class AuditClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    return this.api.listEvents({ query });
  }

  getEvent(id: number): Promise<AuditEvent> {
    return this.api.getEvent({ path: { id } });
  }

  getFacets(): Promise<AuditEventFacets> {
    return this.api.getFacets();
  }

  /** The events matching the filters as CSV (the export is audited too). */
  async exportCsv(
    query: Omit<AuditEventQuery, 'before' | 'limit'>,
  ): Promise<Blob> {
    return (await this.api.exportEvents({ query })).blob();
  }
}
