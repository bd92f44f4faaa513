import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  MetricsRange,
  PanelData,
} from '@opsdeck/plugin-monitoring-common';

/** The monitoring backend's API (/api/monitoring). */
export class MonitoringClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  /** The fixed panels of a host entity (kind, namespace, name) over a range. */
  async panels(
    entity: { kind: string; namespace: string; name: string },
    range: MetricsRange,
  ): Promise<PanelData[]> {
    const base = await this.discoveryApi.getBaseUrl('monitoring');
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const res = await this.fetchApi.fetch(
      `${base}/entities/${path}/panels?range=${encodeURIComponent(range)}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return ((await res.json()) as { panels: PanelData[] }).panels;
  }
}
