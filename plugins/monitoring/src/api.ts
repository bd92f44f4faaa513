import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  FleetOverview,
  AlertDelivery,
  AlertEvent,
  AlertRule,
  AlertRuleVersion,
  MetricsRange,
  PanelData,
  Probe,
  ProbeInput,
  ProbeStatusList,
  RuleInput,
  RuleTemplateSummary,
  Silence,
  SilenceInput,
} from '@opsdeck/plugin-monitoring-common';

/** The monitoring backend's API (/api/monitoring). */
export class MonitoringClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  private async call<T>(
    path: string,
    init?: { method: string; body?: unknown },
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('monitoring');
    const res = await this.fetchApi.fetch(`${base}${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined
        ? {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(init.body),
          }
        : {}),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** The fixed panels of a host entity (kind, namespace, name) over a range. */
  async panels(
    entity: { kind: string; namespace: string; name: string },
    range: MetricsRange,
  ): Promise<PanelData[]> {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const body = await this.call<{ panels: PanelData[] }>(
      `/entities/${path}/panels?range=${encodeURIComponent(range)}`,
    );
    return body.panels;
  }

  /** The top hosts by CPU, memory and disk use and those down, among the hosts the user may read. */
  async fleet(limit?: number): Promise<FleetOverview> {
    return this.call(
      `/fleet${
        limit !== undefined ? `?limit=${encodeURIComponent(String(limit))}` : ''
      }`,
    );
  }

  /** Received alert states, newest first. */
  async alerts(
    page: { limit?: number; offset?: number } = {},
  ): Promise<{ items: AlertEvent[]; total: number }> {
    const q = new URLSearchParams();
    if (page.limit !== undefined) q.set('limit', String(page.limit));
    if (page.offset !== undefined) q.set('offset', String(page.offset));
    const query = q.toString();
    return this.call(`/alerts${query ? `?${query}` : ''}`);
  }

  /** Every channel delivery of one alert state. */
  async deliveries(eventId: number): Promise<AlertDelivery[]> {
    const body = await this.call<{ items: AlertDelivery[] }>(
      `/alerts/${encodeURIComponent(String(eventId))}/deliveries`,
    );
    return body.items;
  }

  /** Acknowledges a firing alert (its escalation and reminders stop). */
  async acknowledge(eventId: number, comment?: string): Promise<AlertEvent> {
    return this.call(`/alerts/${encodeURIComponent(String(eventId))}/ack`, {
      method: 'POST',
      body: comment ? { comment } : {},
    });
  }

  /** Takes an acknowledgement back (escalation resumes). */
  async unacknowledge(eventId: number): Promise<AlertEvent> {
    return this.call(`/alerts/${encodeURIComponent(String(eventId))}/ack`, {
      method: 'DELETE',
    });
  }

  async ruleTemplates(): Promise<RuleTemplateSummary[]> {
    return (
      await this.call<{ items: RuleTemplateSummary[] }>('/rule-templates')
    ).items;
  }

  async rules(): Promise<AlertRule[]> {
    return (await this.call<{ items: AlertRule[] }>('/rules')).items;
  }

  /** Creates a rule; a promtool refusal is a 400 whose message says why. */
  async createRule(input: RuleInput): Promise<AlertRule> {
    return this.call('/rules', { method: 'POST', body: input });
  }

  async updateRule(id: number, input: RuleInput): Promise<AlertRule> {
    return this.call(`/rules/${encodeURIComponent(String(id))}`, {
      method: 'PUT',
      body: input,
    });
  }

  async deleteRule(id: number): Promise<void> {
    await this.call(`/rules/${encodeURIComponent(String(id))}`, {
      method: 'DELETE',
    });
  }

  async ruleVersions(id: number): Promise<AlertRuleVersion[]> {
    const body = await this.call<{ items: AlertRuleVersion[] }>(
      `/rules/${encodeURIComponent(String(id))}/versions`,
    );
    return body.items;
  }

  /** Alertmanager's silences (active, pending and expired). */
  async silences(): Promise<Silence[]> {
    return this.call('/silences');
  }

  async createSilence(input: SilenceInput): Promise<string> {
    const body = await this.call<{ silenceID: string }>('/silences', {
      method: 'POST',
      body: input,
    });
    return body.silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await this.call(`/silences/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  /** Probes on the entities the caller may read. */
  async probes(): Promise<Probe[]> {
    return (await this.call<{ items: Probe[] }>('/probes')).items;
  }

  /** Creates a probe; a refused target or regex is a 400 whose message says why. */
  async createProbe(input: ProbeInput): Promise<Probe> {
    return this.call('/probes', { method: 'POST', body: input });
  }

  /** Edits a probe with the checks of a create; a refusal is a 400 whose message says why. */
  async updateProbe(id: number, input: ProbeInput): Promise<Probe> {
    return this.call(`/probes/${encodeURIComponent(String(id))}`, {
      method: 'PUT',
      body: input,
    });
  }

  /** The last result (probe_success) of the probes the caller may read. */
  async probeStatus(): Promise<ProbeStatusList> {
    return this.call('/probes/status');
  }

  async deleteProbe(id: number): Promise<void> {
    await this.call(`/probes/${encodeURIComponent(String(id))}`, {
      method: 'DELETE',
    });
  }
}
