/**
 * Labels opsdeck's Prometheus service discovery puts on every target. Charts
 * and alert routing find an entity's series by `opsdeck_entity`.
 */
export const SD_LABELS = {
  entity: 'opsdeck_entity',
  kind: 'opsdeck_kind',
  name: 'opsdeck_name',
  owner: 'owner',
  system: 'system',
  environment: 'environment',
  engine: 'engine',
} as const;

/**
 * What a discovered target is: a host (node_exporter), a database or a cache
 * (their exporter), or a message queue (RabbitMQ's rabbitmq_prometheus).
 */
export type MonitoredKind = 'host' | 'database' | 'cache' | 'queue';

/** Every monitored kind, in display order. */
export const MONITORED_KINDS: readonly MonitoredKind[] = [
  'host',
  'database',
  'cache',
  'queue',
];

/** One Prometheus HTTP SD target group. */
export interface SdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Notification channel types of the alert router. */
export type ChannelType =
  | 'dingtalk'
  | 'wecom'
  | 'feishu'
  | 'webhook'
  | 'email'
  | 'notifications';

/** Every channel type. */
export const CHANNEL_TYPES: readonly ChannelType[] = [
  'dingtalk',
  'wecom',
  'feishu',
  'webhook',
  'email',
  'notifications',
];

/** Alert status as Alertmanager reports it. */
export type AlertStatus = 'firing' | 'resolved';

/** One received alert notification (one state of one alert), once per fingerprint, status and start. */
export interface AlertEvent {
  id: number;
  fingerprint: string;
  status: AlertStatus;
  startsAt: string;
  endsAt?: string;
  alertname: string;
  entityRef?: string;
  /** Group ref the alert was routed to (the entity's owner), if any. */
  owner?: string;
  severity?: string;
  summary?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  receivedAt: string;
  /** True for a channel test send. */
  test: boolean;
  /**
   * A resolution opsdeck recorded itself: Alertmanager had not sent the
   * firing alert for `alerts.staleAfterHours` (it is gone, or its
   * resolution was lost).
   */
  stale?: boolean;
  /** A firing state whose resolution has been received (it needs no acknowledgement). */
  resolved?: boolean;
  /** Who acknowledged a firing state, when and why (none: unacknowledged). */
  acknowledgement?: AlertAcknowledgement;
  /**
   * Escalation step a firing state reached: 1 escalated to the policy's
   * targets, 2… reminders sent (absent: not escalated).
   */
  escalationStep?: number;
}

/** The acknowledgement of a firing alert (stops its escalation and reminders). */
export interface AlertAcknowledgement {
  /** The person (user entity ref). */
  by: string;
  at: string;
  comment?: string;
}

/**
 * Delivery state of one alert event on one channel; `unknown`: the sending
 * was cut off (the backend stopped) before its outcome was recorded, so it
 * may or may not have gone out, and it is not sent again automatically.
 */
export type DeliveryState = 'sending' | 'sent' | 'failed' | 'unknown';

/** One alert event on one channel: its attempts and last error. */
export interface AlertDelivery {
  id: number;
  eventId: number;
  channel: string;
  channelType: ChannelType;
  state: DeliveryState;
  attempts: number;
  /** Last error (never a secret). */
  error?: string;
  updatedAt: string;
  /** Escalation step this delivery is for: 1 escalation, 2… reminders (absent: the alert itself). */
  step?: number;
}

/** A configured channel as the UI sees it (no URL, no secret). */
export interface ChannelSummary {
  name: string;
  type: ChannelType;
  /** Owner groups routed to this channel; empty = every alert. */
  owners: string[];
}

/**
 * A channel's message for the sample test alert, rendered by the senders'
 * own code: `text` is the body in the channel's format (DingTalk markdown,
 * WeCom text, Feishu card text, mail text, webhook JSON, notification
 * description).
 */
export interface ChannelPreview {
  channel: string;
  type: ChannelType;
  title: string;
  lines: string[];
  text: string;
}

/** Panels of a host's Monitoring tab. */
export type HostPanelId = 'cpu' | 'memory' | 'disk' | 'network' | 'load' | 'up';

/** Panels of a database's, cache's or queue's Monitoring tab. */
export type StorePanelId =
  | 'connections'
  | 'transactions'
  | 'queries'
  | 'slowQueries'
  | 'replicationLag'
  | 'deadlocks'
  | 'hitRate'
  | 'evictions'
  | 'clients'
  | 'messages'
  | 'queueDepth'
  | 'consumers'
  | 'messageRates';

/**
 * Panels of a service's Monitoring tab, one set per probe (blackbox or
 * process): `probe_success`, `probe_duration_seconds` and, for HTTP,
 * `probe_http_status_code`.
 */
export type ProbePanelId = 'probeSuccess' | 'probeDuration' | 'probeStatusCode';

/** Panels of any Monitoring tab (`memory` and `up` are shared). */
export type PanelId = HostPanelId | StorePanelId | ProbePanelId;

/**
 * Catalog `Component` types whose Monitoring tab charts their probes
 * (`spec.type`).
 */
export const PROBED_COMPONENT_TYPES = ['service', 'website'] as const;

/** Units a panel's values are in. */
export type PanelUnit =
  | 'percent'
  | 'bytesPerSecond'
  | 'bytes'
  | 'load'
  | 'up'
  | 'count'
  | 'perSecond'
  | 'seconds'
  | 'statusCode';

/**
 * Engines (catalog `spec.engine` of a database, cache or queue) that have
 * panels, and the exporter whose metrics they read (RabbitMQ's is its own
 * plugin).
 */
export const PANEL_ENGINES = {
  postgresql: 'prometheus-postgres-exporter',
  mysql: 'prometheus-mysqld-exporter',
  mariadb: 'prometheus-mysqld-exporter',
  redis: 'prometheus-redis-exporter',
  rabbitmq: 'rabbitmq_prometheus',
} as const;

/** An engine with panels. */
export type PanelEngine = keyof typeof PANEL_ENGINES;

/** Time ranges of the Monitoring tab. */
export type MetricsRange = '1h' | '6h' | '24h' | '7d';

/** Every time range, shortest first. */
export const METRICS_RANGES: readonly MetricsRange[] = [
  '1h',
  '6h',
  '24h',
  '7d',
];

/** One panel's series: [epoch ms, value] points. */
export interface PanelData {
  id: PanelId;
  unit: PanelUnit;
  /** The probe a service's panel charts. */
  probe?: { id: number; kind: ProbeKind; target: string };
  series: Array<{ name: string; points: Array<[number, number]> }>;
}

/** One host of a fleet overview list: its value now (percent). */
export interface FleetEntry {
  entityRef: string;
  /** The catalog title, else the name. */
  title: string;
  value: number;
}

/** A host whose exporter does not answer (`up == 0`). */
export interface FleetDownEntry {
  entityRef: string;
  title: string;
  /** The scrape target (host:port) Prometheus failed on. */
  instance?: string;
}

/**
 * The fleet overview: the top hosts by CPU, memory and disk use, and the
 * hosts that are down, among those the caller may read in the catalog.
 */
export interface FleetOverview {
  /** When Prometheus evaluated the numbers (ISO 8601). */
  time: string;
  /** Hosts the caller may read (the fleet the numbers cover). */
  hosts: number;
  limit: number;
  cpu: FleetEntry[];
  memory: FleetEntry[];
  /** The fullest filesystem of each host. */
  disk: FleetEntry[];
  down: FleetDownEntry[];
}

/** Alert rule templates: the only PromQL a rule can have. */
export type RuleTemplateId =
  | 'host-down'
  | 'disk-full'
  | 'db-connections-saturated'
  | 'probe-failing';

/** Every rule template, in display order. */
export const RULE_TEMPLATE_IDS: readonly RuleTemplateId[] = [
  'host-down',
  'disk-full',
  'db-connections-saturated',
  'probe-failing',
];

/** A rule template as `GET /rule-templates` lists it. */
export interface RuleTemplateSummary {
  id: RuleTemplateId;
  /** The alert name rules of this template fire. */
  alert: string;
  /** Default threshold (percent), when the template has one. */
  threshold?: number;
  defaultFor: string;
}

/** Which targets a rule covers: HostSelector fields or one entity. */
export interface RuleScope {
  names?: string[];
  owner?: string;
  system?: string;
  environment?: string;
  tags?: string[];
  entityRef?: string;
}

/** Rule severities. */
export type RuleSeverity = 'critical' | 'warning' | 'info';

/** Every rule severity, most urgent first. */
export const RULE_SEVERITIES: readonly RuleSeverity[] = [
  'critical',
  'warning',
  'info',
];

/** A rule's parameters (template defaults when unset). */
export interface RuleParams {
  threshold?: number;
  /** How long the condition holds before firing (`30s`, `5m`, `1h`). */
  for?: string;
  severity?: RuleSeverity;
}

/** What creates or updates a rule. */
export interface RuleInput {
  name: string;
  template: RuleTemplateId;
  scope: RuleScope;
  params?: RuleParams;
  enabled?: boolean;
}

/** A stored rule (its latest version). */
export interface AlertRule {
  id: number;
  name: string;
  template: string;
  scope: RuleScope;
  params: RuleParams;
  enabled: boolean;
  version: number;
  updatedBy: string;
  updatedAt: string;
  /** The PromQL the rule renders to. */
  expr?: string;
}

/** One version of a rule, newest first in lists. */
export interface AlertRuleVersion {
  version: number;
  by: string;
  at: string;
  /** The rule as it was (empty for the version recording a delete). */
  rule: Partial<AlertRule> & Record<string, unknown>;
}

/** What creates a silence: one entity, optionally one alert name. */
export interface SilenceInput {
  entityRef: string;
  alertname?: string;
  minutes: number;
  comment: string;
}

/** A silence as Alertmanager's API v2 returns it (the fields the UI shows). */
export interface Silence {
  id: string;
  matchers: Array<{
    name: string;
    value: string;
    isRegex: boolean;
    isEqual?: boolean;
  }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

/**
 * What a probe checks: a TCP connect or an HTTP(S) request (through the
 * blackbox exporter), that a named process runs on a catalog host
 * (`process`: opsdeck runs `pgrep -x` over SSH when Prometheus scrapes it),
 * or that a short script exits 0 on a catalog host (`script`: run over SSH
 * the way jobs run scripts; needs opsdeck.monitoring.probe.script).
 */
export type ProbeKind = 'tcp' | 'http' | 'process' | 'script';

/** Every probe kind. */
export const PROBE_KINDS: readonly ProbeKind[] = [
  'tcp',
  'http',
  'process',
  'script',
];

/** The languages of a script probe. */
export type ProbeScriptLanguage = 'sh' | 'bash';

/** Bytes (UTF-8) a script probe's script may have. */
export const PROBE_SCRIPT_MAX_BYTES = 4096;

/** Labels a probe target carries beside the entity's SD labels. */
export const PROBE_LABELS = {
  probe: 'opsdeck_probe',
  kind: 'opsdeck_probe_kind',
  /** The target as it was saved (the discovered target is the checked address). */
  target: 'opsdeck_probe_target',
} as const;

/** A probe as it is created: on one catalog entity. */
export interface ProbeInput {
  /** Full ref of the catalog entity the probe belongs to (its owner scopes it). */
  entityRef: string;
  kind: ProbeKind;
  /**
   * tcp: `host:port`; http: an `http(s)://` URL; process: a process name as
   * `pgrep -x` matches it (1-15 of `A-Za-z0-9._-`, the kernel's comm), on
   * the host the entity is; script: the check's name (1-63 of
   * `A-Za-z0-9._-`).
   */
  target: string;
  /**
   * script: the script (at most {@link PROBE_SCRIPT_MAX_BYTES}, parsed with
   * the bash grammar before it is saved). Exit 0 is up; the first line of
   * its output, when a number, is the probe's value.
   */
  script?: string;
  /** script: its interpreter (default `sh`). */
  language?: ProbeScriptLanguage;
  /** http: the status code that means up (default any 2xx). */
  expectStatus?: number;
  /** http: a regular expression (Go RE2, the blackbox exporter's) the body must match. */
  bodyRegex?: string;
  /** Probe interval, e.g. `15s`, `1m` (sub-minute allowed). */
  interval: string;
}

/** A stored probe. */
export interface Probe extends ProbeInput {
  id: number;
  createdBy: string;
  createdAt: string;
}

/** A probe's last result in Prometheus (`probe_success`): unknown when it has none (not yet scraped, dropped by discovery). */
export type ProbeState = 'up' | 'down' | 'unknown';

/** The state of one probe as `GET /probes/status` answers it. */
export interface ProbeStatus {
  id: number;
  state: ProbeState;
  /** When Prometheus last scraped the probe (ISO 8601), when it has. */
  lastProbeAt?: string;
}

/** `GET /probes/status`: the probes the caller may read, at one time. */
export interface ProbeStatusList {
  /** When Prometheus evaluated the states (ISO 8601). */
  time: string;
  items: ProbeStatus[];
}

/**
 * How long one shift of an on-call rotation lasts: a day, a week, or N
 * hours (N divides 24, or is a whole number of days). Handoffs happen at the
 * rotation's local handoff time in its time zone, so they stay at the same
 * wall-clock time across daylight-saving changes.
 */
export type RotationShift =
  | { kind: 'daily' }
  | { kind: 'weekly' }
  | { kind: 'hours'; hours: number };

/** What a person gives to create or change an on-call rotation. */
export interface RotationInput {
  /** The catalog group whose alerts the rotation answers (the alert owner), `group:default/ops`. */
  group: string;
  name: string;
  /** Catalog users of the group (full refs), in the order they take shifts. */
  members: string[];
  shift: RotationShift;
  /** Local time of the first handoff of a day, `HH:mm`. */
  handoffTime: string;
  /** IANA time zone of the handoff time and start date, `Europe/Berlin`. */
  timeZone: string;
  /** Local date of the first shift (the first member's), `YYYY-MM-DD`. */
  startDate: string;
}

/** An on-call rotation as stored. */
export interface OnCallRotation extends RotationInput {
  id: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** What a person gives to create an override: `user` covers [start, end). */
export interface RotationOverrideInput {
  user: string;
  /** ISO 8601 instant. */
  start: string;
  /** ISO 8601 instant, after `start`. */
  end: string;
}

/** An override of a rotation as stored. */
export interface RotationOverride extends RotationOverrideInput {
  id: number;
  rotationId: number;
  createdBy: string;
  createdAt: string;
}

/** One stretch of a rotation's schedule: who is on call from `start` until `end`. */
export interface OnCallShift {
  user: string;
  start: string;
  end: string;
  /** The stretch is an override's. */
  override: boolean;
}

/** A rotation with its overrides, who is on call now and the next stretches. */
export interface RotationView {
  rotation: OnCallRotation;
  overrides: RotationOverride[];
  /** Who is on call at `at` (absent before the rotation starts). */
  onCall?: string;
  at: string;
  /** The current stretch and the next ones (up to the next handoffs). */
  schedule: OnCallShift[];
}

/** Who is on call now for a group: one entry per rotation of the group. */
export interface GroupOnCall {
  group: string;
  at: string;
  rotations: Array<{ rotationId: number; name: string; user?: string }>;
}
