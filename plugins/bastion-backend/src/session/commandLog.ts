import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { GateRecord } from '../commands/CommandGate';
import type { Verdict } from '../commands/rules';
import type { BastionStore, SessionRecord } from '../database/BastionStore';

export type CommandLogDeps = {
  store: BastionStore;
  logger: LoggerService;
  now(): number;
  audit(
    eventId: string,
    severity: 'low' | 'medium' | 'high' | 'critical',
    actor: string,
    meta: JsonObject,
  ): void;
};

/**
 * Stores a judged line with the session's commands (in order) and audits what a rule decided
 * (refused, alerted, approved, denied) with the person as the actor.
 */
export function recordCommand(
  deps: CommandLogDeps,
  record: SessionRecord,
  entry: GateRecord,
) {
  const { command, action, rule, detail, reviewedBy, uncertain } = entry;
  const at = new Date(deps.now()).toISOString();
  deps.store
    .addCommand({
      sessionId: record.id,
      at,
      command: uncertain
        ? `${command} [incomplete: edited on the host]`
        : command,
      action,
      ruleId: rule?.id,
      detail,
      reviewedBy,
    })
    .catch(e => deps.logger.warn(`Cannot store command: ${e}`));
  const eventId = {
    rejected: 'command-rejected',
    alerted: 'command-alert',
    approved: 'command-approved-run',
    denied: 'command-denied',
  }[action as string];
  if (eventId) {
    deps.audit(eventId, 'high', record.userRef, {
      sessionId: record.id,
      host: record.host,
      hostRef: record.hostRef,
      command,
      rule: rule?.name ?? null,
      detail: detail ?? null,
      ...(reviewedBy ? { reviewedBy } : {}),
    });
  }
}

/** The command-log entry of a file transfer (or its refusal). */
export function transferEntry(text: string, verdict: Verdict): GateRecord {
  const actions = { reject: 'rejected', alert: 'alerted' } as const;
  const action =
    verdict.action === 'reject' || verdict.action === 'alert'
      ? actions[verdict.action]
      : 'run';
  return {
    command: text,
    action,
    rule: verdict.rule,
    detail: verdict.detail,
    uncertain: false,
  };
}

/** Writes an audit event with the person as the actor (never throws). */
export function auditEvent(
  deps: { auditor?: AuditorService; logger: LoggerService },
  eventId: string,
  severityLevel: 'low' | 'medium' | 'high' | 'critical',
  actor: string,
  meta: JsonObject,
) {
  const { auditor, logger } = deps;
  if (!auditor) return;
  auditor
    .createEvent({ eventId, severityLevel, meta: { actor, ...meta } })
    .then(e => e.success())
    .catch(err => logger.warn(`Cannot audit ${eventId}: ${err}`));
}
