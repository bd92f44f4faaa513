import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { SD_LABELS } from '@opsdeck/plugin-monitoring-common';
import { hostRefOf } from '@opsdeck/plugin-cmdb-common';
import { matcher, oneOf } from './promql';

/** Alert rule templates: the only PromQL a rule can have. */
export type RuleTemplateId =
  | 'host-down'
  | 'disk-full'
  | 'db-connections-saturated'
  | 'probe-failing';

/** Which targets a rule covers: HostSelector fields (as SD labels) or one entity. */
export interface RuleScope {
  names?: string[];
  owner?: string;
  system?: string;
  environment?: string;
  tags?: string[];
  entityRef?: string;
}

export interface RuleParams {
  /** Percent, for disk-full and db-connections-saturated. */
  threshold?: number;
  /** How long the condition holds before firing (`30s`, `5m`, `1h`). */
  for?: string;
  severity?: 'critical' | 'warning' | 'info';
}

export interface RuleTemplate {
  id: RuleTemplateId;
  alert: string;
  /** Default threshold (percent), when the template has one. */
  threshold?: number;
  defaultFor: string;
  expr(selector: string, threshold: number): string;
  summary: string;
}

export const RULE_TEMPLATES: Record<RuleTemplateId, RuleTemplate> = {
  'host-down': {
    id: 'host-down',
    alert: 'HostDown',
    defaultFor: '1m',
    expr: s => `up{${s}} == 0`,
    summary: '{{ $labels.opsdeck_name }} is down (not scraped)',
  },
  'disk-full': {
    id: 'disk-full',
    alert: 'DiskFull',
    threshold: 90,
    defaultFor: '5m',
    expr: (s, t) => {
      const fs = `${s},fstype!~"tmpfs|overlay|squashfs"`;
      return `(1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}) * 100 > ${t}`;
    },
    summary:
      '{{ $labels.opsdeck_name }} {{ $labels.mountpoint }} is {{ $value | humanize }}% full',
  },
  'db-connections-saturated': {
    id: 'db-connections-saturated',
    alert: 'DatabaseConnectionsSaturated',
    threshold: 90,
    defaultFor: '5m',
    expr: (s, t) =>
      `(sum by (opsdeck_entity, opsdeck_name) (pg_stat_activity_count{${s}}) / max by (opsdeck_entity, opsdeck_name) (pg_settings_max_connections{${s}})) * 100 > ${t}` +
      ` or (max by (opsdeck_entity, opsdeck_name) (mysql_global_status_threads_connected{${s}}) / max by (opsdeck_entity, opsdeck_name) (mysql_global_variables_max_connections{${s}})) * 100 > ${t}`,
    summary:
      '{{ $labels.opsdeck_name }} uses {{ $value | humanize }}% of its connections',
  },
  'probe-failing': {
    id: 'probe-failing',
    alert: 'ProbeFailing',
    defaultFor: '1m',
    expr: s => `probe_success{${s}} == 0`,
    summary: 'probe of {{ $labels.opsdeck_name }} is failing',
  },
};

const DURATION = /^[1-9][0-9]{0,3}[smh]$/;
const MAX_NAMES = 200;
/** Backstage's entity name rule. */
const ENTITY_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** The label matchers of a scope; InputError when it gives nothing or something unparsable. */
export function scopeSelector(scope: RuleScope): string {
  const parts: string[] = [];
  const refs = [
    ...(scope.names ?? []),
    ...(scope.entityRef ? [scope.entityRef] : []),
  ];
  if (refs.length > MAX_NAMES) {
    throw new InputError(`at most ${MAX_NAMES} names in a rule scope`);
  }
  if (refs.length) {
    const normalised = refs.map(n => {
      const ref = hostRefOf(n);
      const name = ref?.slice(ref.indexOf('/') + 1) ?? '';
      if (!ref || !ENTITY_NAME.test(name) || name.length > 63)
        throw new InputError(`'${n}' is not an entity name or ref`);
      return ref;
    });
    parts.push(oneOf(SD_LABELS.entity, [...new Set(normalised)]));
  }
  const ref = (value: string, kind: string) => {
    const v = value.trim().toLocaleLowerCase('en-US');
    const withKind = v.includes(':') ? v : `${kind}:${v}`;
    const i = withKind.indexOf(':');
    const rest = withKind.slice(i + 1);
    return `${withKind.slice(0, i)}:${
      rest.includes('/') ? rest : `default/${rest}`
    }`;
  };
  if (scope.owner)
    parts.push(matcher(SD_LABELS.owner, '=', ref(scope.owner, 'group')));
  if (scope.system) {
    parts.push(matcher(SD_LABELS.system, '=', ref(scope.system, 'system')));
  }
  if (scope.environment) {
    parts.push(matcher(SD_LABELS.environment, '=', scope.environment));
  }
  if (parts.length === 0) {
    throw new InputError(
      'A rule scope needs an entity or at least one of names, owner, system, environment',
    );
  }
  if (scope.tags?.length) {
    throw new InputError(
      'tags are not a Prometheus label: scope a rule by names, owner, system or environment',
    );
  }
  return parts.join(',');
}

/** One Prometheus alerting rule of a stored opsdeck rule. */
export function renderRule(
  ruleId: number,
  template: RuleTemplateId,
  scope: RuleScope,
  params: RuleParams,
) {
  const t = RULE_TEMPLATES[template];
  if (!t) throw new InputError(`No rule template ${template}`);
  const threshold = params.threshold ?? t.threshold ?? 0;
  if (t.threshold !== undefined) {
    if (!(Number.isFinite(threshold) && threshold > 0 && threshold <= 100)) {
      throw coded(
        new InputError('threshold is a percentage between 0 and 100'),
        'monitoring-threshold-invalid',
      );
    }
  }
  const forDuration = params.for ?? t.defaultFor;
  if (!DURATION.test(forDuration)) {
    throw coded(
      new InputError("for is a duration like '30s', '5m' or '1h'"),
      'monitoring-for-invalid',
    );
  }
  return {
    alert: t.alert,
    expr: t.expr(scopeSelector(scope), threshold),
    for: forDuration,
    labels: {
      severity: params.severity ?? 'critical',
      opsdeck_rule: String(ruleId),
    },
    annotations: { summary: t.summary },
  };
}
