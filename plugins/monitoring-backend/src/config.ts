import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { readEscalation } from './alerts/escalationConfig';
import {
  CHANNEL_TYPES,
  type ChannelType,
} from '@opsdeck/plugin-monitoring-common';

/** One notification channel of the alert router (from config). */
export interface ChannelConfig {
  name: string;
  type: ChannelType;
  /** Robot or webhook URL (may carry the robot's token: never returned or logged). */
  url?: string;
  /** Vault credential (password) holding the signing secret, read at each use. */
  secretCredential?: string;
  /** Group that owns the channel's secret (the vault checks the credential belongs to it). */
  owner?: string;
  /** DingTalk / WeCom: mobiles to @-mention. */
  mobiles: string[];
  /** Email: addresses. */
  to: string[];
  /** Alerts of these owner groups (full refs, lower case); empty = every alert. */
  owners: string[];
}

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  from: string;
  username?: string;
  password?: string;
}

export interface MonitoringConfig {
  /** Port of node_exporter on hosts without an `opsdeck.io/exporter` annotation. */
  nodeExporterPort: number;
  channels: ChannelConfig[];
  smtp?: SmtpConfig;
  /** Timeout of one delivery, ms. */
  deliveryTimeoutMs: number;
  /** Prometheus base URL (lifecycle API on, for reloads). */
  prometheusUrl?: string;
  /** Alertmanager base URL (silences, API v2). */
  alertmanagerUrl?: string;
  /** Rule file Prometheus reads; unset: rules are validated and kept, not written. */
  rulesFile?: string;
  promtool: string;
  probes: ProbesConfig;
  /** Days resolved alert states (and test sends) and their deliveries are kept (default 90). */
  alertRetentionDays: number;
  /** Hours after Alertmanager's last notification of a firing alert it is resolved as stale (default 24). */
  alertStaleAfterHours: number;
  /** Escalation of unacknowledged firing alerts; unset: none. */
  escalation?: EscalationConfig;
  /** Messages one person may send to one channel by hand (test sends, retries) per minute (default 5). */
  sendsPerMinute: number;
}

/** Who an escalation goes to: the channels routed to a catalog group, or one named channel. */
export type EscalationTarget =
  | { group: string; channel?: undefined }
  | { channel: string; group?: undefined };

/**
 * One escalation policy: a firing alert unacknowledged for `afterMinutes`
 * (since opsdeck received it) is sent to `notify` (step 1); then, still
 * unacknowledged, a reminder every `reminderEveryMinutes` to the owner's
 * channels and `notify`, at most `reminders` times (steps 2…).
 */
export interface EscalationPolicy {
  /** `default`, or the name of an entry of `escalation.policies`. */
  name: string;
  afterMinutes: number;
  notify: EscalationTarget[];
  reminderEveryMinutes: number;
  reminders: number;
}

/** A policy of `escalation.policies`: for alerts of these severities and owners. */
export interface MatchedEscalationPolicy extends EscalationPolicy {
  /** `severity` label values it is for (lower case); empty: any. */
  severities: string[];
  /** Catalog owner groups (full refs, lower case) it is for; empty: any. */
  owners: string[];
  /** False: matching alerts are not escalated at all (`escalate: false`). */
  escalate: boolean;
}

/**
 * `opsdeck.monitoring.escalation`: the policies, in order (the first whose
 * severities and owners match the alert applies), and the default for an
 * alert none matches (unset: such an alert is not escalated).
 */
export interface EscalationConfig {
  policies: MatchedEscalationPolicy[];
  default?: EscalationPolicy;
}

/** Probes through the blackbox exporter (`opsdeck.monitoring.probes`). */
export interface ProbesConfig {
  /** The exporter's --config.file opsdeck writes its modules to; unset: checked, not written. */
  configFile?: string;
  /** The exporter's base URL (POST /-/reload after each change). */
  url?: string;
  /** The exporter binary, for --config.check. */
  binary: string;
  /** Addresses / subnets probes may reach though they are loopback, link-local or metadata. */
  allowTargets: string[];
  /** Shortest probe interval in seconds (default 5). */
  minIntervalSeconds: number;
  /** DNS servers (`ip` or `ip:port`) probe target names are resolved with; unset: the system resolver. */
  dnsServers?: string[];
  /** Vault credential of process probes on hosts that name none (`spec.credential`). */
  defaultCredential?: string;
}

export const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function groupRef(ref: string): string {
  const r = ref.trim().toLocaleLowerCase('en-US');
  const withKind = r.includes(':') ? r : `group:${r}`;
  const [kind, rest] = [
    withKind.slice(0, withKind.indexOf(':')),
    withKind.slice(withKind.indexOf(':') + 1),
  ];
  return `${kind}:${rest.includes('/') ? rest : `default/${rest}`}`;
}

export function readMonitoringConfig(root: Config): MonitoringConfig {
  const config = root.getOptionalConfig('opsdeck.monitoring');
  const channels: ChannelConfig[] = [];
  for (const c of config?.getOptionalConfigArray('channels') ?? []) {
    const name = c.getString('name');
    const type = c.getString('type') as ChannelType;
    if (!NAME.test(name)) {
      throw new InputError(
        `opsdeck.monitoring.channels: name '${name}' must match ${NAME}`,
      );
    }
    if (!CHANNEL_TYPES.includes(type)) {
      throw new InputError(
        `opsdeck.monitoring.channels.${name}: type must be one of ${CHANNEL_TYPES.join(
          ', ',
        )}`,
      );
    }
    const url = c.getOptionalString('url');
    if (['dingtalk', 'wecom', 'feishu', 'webhook'].includes(type)) {
      if (!url || !/^https?:\/\//.test(url)) {
        throw new InputError(
          `opsdeck.monitoring.channels.${name}: a ${type} channel needs an http(s) url`,
        );
      }
    }
    if (channels.some(x => x.name === name)) {
      throw new InputError(`opsdeck.monitoring.channels: '${name}' twice`);
    }
    const secretCredential = c.getOptionalString('secretCredential');
    const owner = c.getOptionalString('owner');
    if (secretCredential && !owner) {
      throw new InputError(
        `opsdeck.monitoring.channels.${name}: a channel with a secretCredential needs the owner group of that credential`,
      );
    }
    channels.push({
      name,
      type,
      url,
      secretCredential,
      owner: owner ? groupRef(owner) : undefined,
      mobiles: c.getOptionalStringArray('mobiles') ?? [],
      to: c.getOptionalStringArray('to') ?? [],
      owners: (c.getOptionalStringArray('owners') ?? []).map(groupRef),
    });
  }
  const smtp = config?.getOptionalConfig('smtp');
  const alertRetentionDays =
    config?.getOptionalNumber('alerts.retentionDays') ?? 90;
  if (!Number.isInteger(alertRetentionDays) || alertRetentionDays < 1) {
    throw new InputError(
      'opsdeck.monitoring.alerts.retentionDays must be a whole number of days, at least 1',
    );
  }
  const alertStaleAfterHours =
    config?.getOptionalNumber('alerts.staleAfterHours') ?? 24;
  if (!Number.isInteger(alertStaleAfterHours) || alertStaleAfterHours < 1) {
    throw new InputError(
      'opsdeck.monitoring.alerts.staleAfterHours must be a whole number of hours, at least 1',
    );
  }
  const sendsPerMinute =
    config?.getOptionalNumber('limits.sendsPerMinute') ?? 5;
  if (!Number.isInteger(sendsPerMinute) || sendsPerMinute < 1) {
    throw new InputError(
      'opsdeck.monitoring.limits.sendsPerMinute must be a whole number, at least 1',
    );
  }
  return {
    sendsPerMinute,
    escalation: readEscalation(config, channels),
    alertRetentionDays,
    alertStaleAfterHours,
    nodeExporterPort: config?.getOptionalNumber('nodeExporterPort') ?? 9100,
    deliveryTimeoutMs: config?.getOptionalNumber('deliveryTimeoutMs') ?? 10_000,
    channels,
    prometheusUrl: config
      ?.getOptionalString('prometheus.url')
      ?.replace(/\/+$/, ''),
    alertmanagerUrl: config
      ?.getOptionalString('alertmanager.url')
      ?.replace(/\/+$/, ''),
    rulesFile: config?.getOptionalString('rules.file'),
    promtool: config?.getOptionalString('rules.promtool') ?? 'promtool',
    probes: {
      configFile: config?.getOptionalString('probes.blackbox.configFile'),
      url: config
        ?.getOptionalString('probes.blackbox.url')
        ?.replace(/\/+$/, ''),
      binary:
        config?.getOptionalString('probes.blackbox.binary') ??
        'prometheus-blackbox-exporter',
      allowTargets: config?.getOptionalStringArray('probes.allowTargets') ?? [],
      minIntervalSeconds: Math.max(
        1,
        config?.getOptionalNumber('probes.minIntervalSeconds') ?? 5,
      ),
      dnsServers: config?.getOptionalStringArray('probes.dnsServers'),
      defaultCredential: config?.getOptionalString('probes.defaultCredential'),
    },
    smtp: smtp
      ? {
          host: smtp.getString('host'),
          port: smtp.getOptionalNumber('port') ?? 587,
          secure: smtp.getOptionalBoolean('secure') ?? false,
          requireTLS:
            smtp.getOptionalBoolean('requireTLS') ??
            !/^(127\.|localhost$|::1$)/.test(smtp.getString('host')),
          from: smtp.getString('from'),
          username: smtp.getOptionalString('username'),
          password: smtp.getOptionalString('password'),
        }
      : undefined,
  };
}
