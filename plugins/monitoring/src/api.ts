import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Operations,
} from './schema/openapi.client.generated';

type Body<K extends keyof Operations> = Operations[K]['request'] extends {
  body?: infer B;
}
  ? B
  : never;

/**
 * The monitoring screens' view of the backend: the generated client
 * (schema/openapi.client.generated.ts), with list answers unwrapped to their
 * items. It builds no URL and sends no request itself.
 */
export class MonitoringClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  /** The fixed panels of a host entity (kind, namespace, name) over a range. */
  async panels(
    entity: { kind: string; namespace: string; name: string },
    range: NonNullable<Operations['entityPanels']['request']['query']>['range'],
  ) {
    const body = await this.api.entityPanels({
      path: entity,
      query: { range },
    });
    return body.panels;
  }

  /** The top hosts by CPU, memory and disk use and those down, among the hosts the user may read. */
  fleet(limit?: number) {
    return this.api.fleetOverview({ query: { limit } });
  }

  /**
   * Received alert states, newest first; with `state: 'firing'` only the
   * alerts firing now (filtered and counted by the backend).
   */
  alerts(page: { limit?: number; offset?: number; state?: 'firing' } = {}) {
    return this.api.listAlerts({
      query: { limit: page.limit, offset: page.offset, state: page.state },
    });
  }

  /** Every channel delivery of one alert state. */
  async deliveries(eventId: number) {
    return (await this.api.listDeliveries({ path: { id: eventId } })).items;
  }

  /**
   * Sends one failed delivery again; an unknown one (it may already have
   * gone out) only with `confirmUnknown`. The delivery after the attempt.
   */
  retryDelivery(id: number, confirmUnknown = false) {
    return this.api.retryDelivery({
      path: { id },
      body: confirmUnknown ? { confirmUnknown } : {},
    });
  }

  /** The configured notification channels (no URL, no secret). */
  async channels() {
    return (await this.api.listChannels()).items;
  }

  /** A channel's message for the sample test alert, as its sender renders it. */
  previewChannel(name: string) {
    return this.api.previewChannel({ path: { name } });
  }

  /** Sends the test alert through a channel by the path of a real alert. */
  testChannel(name: string) {
    return this.api.testChannel({ path: { name } });
  }

  /** Acknowledges a firing alert (its escalation and reminders stop). */
  acknowledge(eventId: number, comment?: string) {
    return this.api.acknowledgeAlert({
      path: { id: eventId },
      body: comment ? { comment } : {},
    });
  }

  /** Takes an acknowledgement back (escalation resumes). */
  unacknowledge(eventId: number) {
    return this.api.unacknowledgeAlert({ path: { id: eventId } });
  }

  async ruleTemplates() {
    return (await this.api.listRuleTemplates()).items;
  }

  async rules() {
    return (await this.api.listRules()).items;
  }

  /** Creates a rule; a promtool refusal is a 400 whose message says why. */
  createRule(input: Body<'createRule'>) {
    return this.api.createRule({ body: input });
  }

  updateRule(id: number, input: Body<'updateRule'>) {
    return this.api.updateRule({ path: { id }, body: input });
  }

  async deleteRule(id: number): Promise<void> {
    await this.api.deleteRule({ path: { id } });
  }

  async ruleVersions(id: number) {
    return (await this.api.listRuleVersions({ path: { id } })).items;
  }

  /** Alertmanager's silences (active, pending and expired). */
  silences() {
    return this.api.listSilences();
  }

  async createSilence(input: Body<'createSilence'>): Promise<string> {
    return (await this.api.createSilence({ body: input })).silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await this.api.expireSilence({ path: { id } });
  }

  /** Probes on the entities the caller may read. */
  async probes() {
    return (await this.api.listProbes()).items;
  }

  /** Creates a probe; a refused target or regex is a 400 whose message says why. */
  createProbe(input: Body<'createProbe'>) {
    return this.api.createProbe({ body: input });
  }

  /** Edits a probe with the checks of a create; a refusal is a 400 whose message says why. */
  updateProbe(id: number, input: Body<'updateProbe'>) {
    return this.api.updateProbe({ path: { id }, body: input });
  }

  /** The last result (probe_success) of the probes the caller may read. */
  probeStatus() {
    return this.api.probeStatus();
  }

  async deleteProbe(id: number): Promise<void> {
    await this.api.deleteProbe({ path: { id } });
  }

  /** On-call rotations of the groups the caller reads, with who is on call now and the next handoffs. */
  async rotations(group?: string) {
    return (await this.api.listRotations({ query: { group } })).items;
  }

  /** Creates a rotation; a refusal is a coded 400 (time zone, members, …). */
  createRotation(input: Body<'createRotation'>) {
    return this.api.createRotation({ body: input });
  }

  updateRotation(id: number, input: Body<'updateRotation'>) {
    return this.api.updateRotation({ path: { id }, body: input });
  }

  async deleteRotation(id: number): Promise<void> {
    await this.api.deleteRotation({ path: { id } });
  }

  /** A person covers the rotation for a time range. */
  createOverride(rotationId: number, input: Body<'createRotationOverride'>) {
    return this.api.createRotationOverride({
      path: { id: rotationId },
      body: input,
    });
  }

  async deleteOverride(rotationId: number, id: number): Promise<void> {
    await this.api.deleteRotationOverride({
      path: { id: rotationId, overrideId: id },
    });
  }

  /** Who is on call now for a group. */
  onCallNow(group: string) {
    return this.api.getOnCallNow({ query: { group } });
  }
}
