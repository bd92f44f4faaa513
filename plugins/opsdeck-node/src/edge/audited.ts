import type {
  AuditorService,
  AuditorServiceEventSeverityLevel,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import { markDenialAudited } from './denials';

/** One audited action: who, what it was done to, and its details. */
export interface AuditedEvent<T> {
  /** kebab-case, e.g. `grant-create`. */
  eventId: string;
  /** Default `medium` (persisted by default; `low` is not). */
  severityLevel?: AuditorServiceEventSeverityLevel;
  /**
   * The request of the person who asked: its credentials name the actor. A
   * plugin calling with its own token names the person with `actor` or the
   * on-behalf-of header.
   */
  request?: Request<any, any, any, any, any>;
  /**
   * The person, when the request is not theirs or there is none (a WebSocket
   * message, a schedule acting for its owner). Recorded as the actor when the
   * caller is a plugin; a user's own credentials always win.
   */
  actor?: string;
  /** What acted for the person besides the plugin, e.g. `schedule:<id>`. */
  via?: string;
  /**
   * What the event is about: an entity ref (`resource:default/web-01`) or
   * `<kind>:<id>` (`job-run:42`, `sql-change:7`, `bastion-grant:3`).
   */
  target: string;
  /** Details (never secrets: secret-like keys are dropped anyway). */
  meta?: JsonObject;
  /** Details known once the action succeeded; may refine `target`. */
  successMeta?: (result: T) => JsonObject;
}

/**
 * Runs `action` inside an audit event: success (with `successMeta`) when it
 * resolves; fail and rethrow when it throws. A NotAllowedError is recorded as
 * a denial of this event (the guard then records no second one).
 *
 * @example
 * const grant = await audited(
 *   auditor,
 *   { eventId: 'grant-create', request: req, target: hostRef, meta: { subject } },
 *   () => store.createGrant(input),
 * );
 */
export async function audited<T>(
  auditor: AuditorService,
  event: AuditedEvent<T>,
  action: () => Promise<T>,
): Promise<T> {
  const auditorEvent = await auditor.createEvent({
    eventId: event.eventId,
    severityLevel: event.severityLevel ?? 'medium',
    request: event.request,
    meta: {
      ...event.meta,
      ...(event.actor ? { actor: event.actor } : {}),
      ...(event.via ? { via: event.via } : {}),
      target: event.target,
    },
  });
  let result: T;
  try {
    result = await action();
  } catch (error) {
    if (event.request && (error as Error)?.name === NotAllowedError.name) {
      markDenialAudited(event.request);
    }
    await auditorEvent.fail({ error: error as Error });
    throw error;
  }
  await auditorEvent.success(
    event.successMeta ? { meta: event.successMeta(result) } : undefined,
  );
  return result;
}
