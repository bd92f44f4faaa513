import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  groupRef,
  NAME,
  type ChannelConfig,
  type EscalationConfig,
  type EscalationPolicy,
  type EscalationTarget,
  type MatchedEscalationPolicy,
} from '../config';

const KEY = 'opsdeck.monitoring.escalation';
const POLICY_KEYS = new Set([
  'name',
  'severities',
  'owners',
  'escalate',
  'afterMinutes',
  'notify',
  'reminders',
]);

function wholeMinutes(
  value: number | undefined,
  key: string,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) {
    throw new InputError(`${key} must be a whole number, at least ${min}`);
  }
  return value;
}

/** `afterMinutes`, `notify` and `reminders` of one policy (`at` names it in errors). */
function readSteps(
  c: Config,
  at: string,
  channels: ChannelConfig[],
): Omit<EscalationPolicy, 'name'> {
  const afterMinutes = wholeMinutes(
    c.getNumber('afterMinutes'),
    `${at}.afterMinutes`,
    1,
  )!;
  const notify: EscalationTarget[] = c.getStringArray('notify').map(raw => {
    const value = raw.trim();
    if (value.startsWith('channel:')) {
      const name = value.slice('channel:'.length);
      if (!channels.some(ch => ch.name === name)) {
        throw new InputError(`${at}.notify: no channel '${name}'`);
      }
      return { channel: name };
    }
    if (!value.toLocaleLowerCase('en-US').startsWith('group:')) {
      throw new InputError(
        `${at}.notify: '${raw}' is neither group:<ref> nor channel:<name>`,
      );
    }
    return { group: groupRef(value) };
  });
  if (notify.length === 0) {
    throw new InputError(
      `${at}.notify needs at least one group: or channel: target`,
    );
  }
  const reminders =
    wholeMinutes(
      c.getOptionalNumber('reminders.times'),
      `${at}.reminders.times`,
      0,
    ) ?? 0;
  const reminderEveryMinutes =
    wholeMinutes(
      c.getOptionalNumber('reminders.everyMinutes'),
      `${at}.reminders.everyMinutes`,
      1,
    ) ?? afterMinutes;
  return { afterMinutes, notify, reminders, reminderEveryMinutes };
}

function readPolicy(
  c: Config,
  index: number,
  channels: ChannelConfig[],
): MatchedEscalationPolicy {
  const name = c.getString('name');
  const at = `${KEY}.policies[${index}] (${name})`;
  if (!NAME.test(name) || name === 'default') {
    throw new InputError(
      `${KEY}.policies[${index}]: name '${name}' must match ${NAME} and not be 'default'`,
    );
  }
  const unknown = c.keys().filter(k => !POLICY_KEYS.has(k));
  if (unknown.length > 0) {
    throw new InputError(`${at}: unknown key(s) ${unknown.join(', ')}`);
  }
  const severities = (c.getOptionalStringArray('severities') ?? []).map(s =>
    s.trim().toLocaleLowerCase('en-US'),
  );
  if (severities.some(s => !/^[a-z0-9._-]{1,64}$/.test(s))) {
    throw new InputError(
      `${at}.severities: each must be a severity label value (letters, digits, . _ -)`,
    );
  }
  const owners = (c.getOptionalStringArray('owners') ?? []).map(o => {
    const ref = groupRef(o);
    if (!ref.startsWith('group:')) {
      throw new InputError(`${at}.owners: '${o}' is not a catalog group`);
    }
    return ref;
  });
  if (severities.length === 0 && owners.length === 0) {
    throw new InputError(
      `${at} needs severities or owners (a policy for every alert is the default: afterMinutes/notify on ${KEY} itself)`,
    );
  }
  const escalate = c.getOptionalBoolean('escalate') ?? true;
  if (!escalate) {
    for (const k of ['afterMinutes', 'notify', 'reminders']) {
      if (c.has(k)) {
        throw new InputError(`${at}: escalate: false takes no ${k}`);
      }
    }
    return {
      name,
      severities,
      owners,
      escalate,
      afterMinutes: 1,
      notify: [],
      reminders: 0,
      reminderEveryMinutes: 1,
    };
  }
  return {
    name,
    severities,
    owners,
    escalate,
    ...readSteps(c, at, channels),
  };
}

/**
 * `opsdeck.monitoring.escalation`: the default policy (`afterMinutes`,
 * `notify`, `reminders` on the key itself, optional when `policies` are
 * given) and `policies` chosen by the alert's severity label and catalog
 * owner group, first match wins. Anything it cannot follow is an error at
 * startup naming the key. Undefined when nothing is configured.
 */
export function readEscalation(
  config: Config | undefined,
  channels: ChannelConfig[],
): EscalationConfig | undefined {
  const e = config?.getOptionalConfig('escalation');
  if (!e) return undefined;
  const policies = (e.getOptionalConfigArray('policies') ?? []).map((c, i) =>
    readPolicy(c, i, channels),
  );
  const names = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name)) {
      throw new InputError(`${KEY}.policies: '${p.name}' twice`);
    }
    names.add(p.name);
  }
  const hasDefault = e.has('afterMinutes') || e.has('notify');
  if (!hasDefault && policies.length === 0) {
    throw new InputError(
      `${KEY} needs afterMinutes and notify (the default policy) or policies`,
    );
  }
  return {
    policies,
    ...(hasDefault
      ? { default: { name: 'default', ...readSteps(e, KEY, channels) } }
      : {}),
  };
}

/** What chooses an alert's policy: its `severity` label and its catalog owner group. */
export interface PolicySubject {
  severity?: string;
  owner?: string;
}

/**
 * The policy of an alert: the first of `policies` whose severities (if any)
 * include its severity and whose owners (if any) include its owner, else the
 * default. Undefined: the alert is not escalated.
 */
export function policyFor(
  escalation: EscalationConfig | undefined,
  alert: PolicySubject,
): EscalationPolicy | undefined {
  if (!escalation) return undefined;
  const severity = alert.severity?.toLocaleLowerCase('en-US');
  const owner = alert.owner?.toLocaleLowerCase('en-US');
  for (const p of escalation.policies) {
    if (
      p.severities.length > 0 &&
      !(severity && p.severities.includes(severity))
    )
      continue;
    if (p.owners.length > 0 && !(owner && p.owners.includes(owner))) continue;
    return p.escalate ? p : undefined;
  }
  return escalation.default;
}

/** Every policy that escalates (for the candidates' widest window). */
export function escalatingPolicies(
  escalation: EscalationConfig | undefined,
): EscalationPolicy[] {
  if (!escalation) return [];
  return [
    ...escalation.policies.filter(p => p.escalate),
    ...(escalation.default ? [escalation.default] : []),
  ];
}
