import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import type { ChannelConfig, EscalationPolicy } from '../config';
import type { RenderedAlert } from '../channels/render';

/** The last step of a policy: the escalation (1) and its reminders. */
export function lastStep(policy: EscalationPolicy): number {
  return 1 + policy.reminders;
}

/** Minutes after receipt at which `step` is due (1: afterMinutes; 2…: reminders). */
export function stepDueMinutes(policy: EscalationPolicy, step: number): number {
  return policy.afterMinutes + (step - 1) * policy.reminderEveryMinutes;
}

/**
 * The step an unacknowledged firing alert received at `receivedAt` is due
 * for at `now` (0: none yet). A replica that was down does not send the
 * missed steps one by one: the latest due one is sent.
 */
export function dueStep(
  policy: EscalationPolicy,
  receivedAt: Date,
  now: Date,
): number {
  const minutes = (now.getTime() - receivedAt.getTime()) / 60_000;
  if (minutes < policy.afterMinutes) return 0;
  const reminders = Math.floor(
    (minutes - policy.afterMinutes) / policy.reminderEveryMinutes,
  );
  return 1 + Math.min(policy.reminders, reminders);
}

/** One channel of an escalation step and the groups it addresses (Backstage notifications). */
export interface StepTarget {
  channel: ChannelConfig;
  groups: string[];
}

/**
 * Where a step goes. The escalation (1): the policy's targets, a group's
 * routed channels (as the router routes an owner) or a named channel. A
 * reminder (2…): the owner's channels and those targets. Each channel once.
 */
export function stepTargets(
  policy: EscalationPolicy,
  channels: ChannelConfig[],
  channelsFor: (owner: string | undefined) => ChannelConfig[],
  event: AlertEvent,
  step: number,
): StepTarget[] {
  const out = new Map<string, StepTarget>();
  const add = (channel: ChannelConfig, group?: string) => {
    const target = out.get(channel.name) ?? { channel, groups: [] };
    if (group && !target.groups.includes(group)) target.groups.push(group);
    out.set(channel.name, target);
  };
  if (step >= 2) {
    for (const c of channelsFor(event.owner)) add(c, event.owner);
  }
  for (const target of policy.notify) {
    if (target.group) {
      for (const c of channelsFor(target.group)) add(c, target.group);
    } else {
      const c = channels.find(x => x.name === target.channel);
      if (c) add(c);
    }
  }
  return [...out.values()];
}

/** The alert's message, saying it is an escalation or a reminder and for how long it is unacknowledged. */
export function renderStep(
  message: RenderedAlert,
  policy: EscalationPolicy,
  step: number,
): RenderedAlert {
  const minutes = stepDueMinutes(policy, step);
  const tag =
    step === 1
      ? '[升级 ESCALATED]'
      : `[提醒 REMINDER ${step - 1}/${policy.reminders}]`;
  const title = `${tag} ${message.title.replace(/^\[[^\]]*\]\s*/, '')}`;
  return {
    ...message,
    title,
    lines: [
      `未确认 ${minutes} 分钟 · unacknowledged for ${minutes} min: acknowledge it in opsdeck to stop ${
        step === 1 ? 'escalation' : 'reminders'
      }`,
      ...message.lines,
    ],
  };
}
