import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import type { TicketsWorkflowApi } from './approvalAction';

/**
 * Runs one fulfilment step of a ticket at most once to completion: the step
 * is keyed by ticket, `step` and `target` (a unique key in the tickets
 * database). A step that is done is not run again, its recorded result comes
 * back; a step that was started and cut short (a crash) runs again with
 * `replay: true`, and `work` must then find what the first attempt made (an
 * idempotency key at the system it calls, or an operation that converges).
 * The crash point `tickets.<step>` sits between the work and its record.
 */
export async function runStepOnce<T extends Record<string, unknown>>(
  tickets: TicketsWorkflowApi,
  ticketId: number,
  step: string,
  target: string,
  work: (replay: boolean) => Promise<T>,
): Promise<{ result: T; skipped: boolean }> {
  const found = await tickets.beginStep(ticketId, step, target);
  if (found.state === 'done') {
    return { result: (found.result ?? {}) as T, skipped: true };
  }
  const result = await work(found.attempts > 1);
  crashPoint(`tickets.${step}`);
  await tickets.finishStep(ticketId, step, target, result);
  return { result, skipped: false };
}

/** The key a step's effect carries at the system that makes it. */
export function stepIdempotencyKey(
  ticketId: number,
  step: string,
  target: string,
): string {
  return `ticket:${ticketId}:${step}:${target}`;
}
