/**
 * The `review` rule action (JumpServer's command review): the command waits, the terminal says
 * so, and an approver allows or denies it in the browser (`POST /reviews/{id}/approve|deny`, on
 * any instance: the decision is one conditional UPDATE in the database, which the waiting
 * instance polls). No decision within the timeout denies it; Ctrl-C or the session's end
 * withdraws it.
 */
import type { JsonObject } from '@backstage/types';
import type { ReviewOutcome } from '../commands/CommandGate';
import type { Verdict } from '../commands/rules';
import type {
  BastionStore,
  ReviewRecord,
  SessionRecord,
} from '../database/BastionStore';

const POLL_MS = 500;

export type ReviewDeps = {
  store: BastionStore;
  now(): number;
  timeoutSeconds: number;
  audit(eventId: string, actor: string, meta: JsonObject): void;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>(resolve => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

function outcomeOf(r: ReviewRecord): ReviewOutcome {
  switch (r.status) {
    case 'approved':
      return { approved: true, by: r.decidedBy, reason: 'approved' };
    case 'denied':
      return {
        approved: false,
        by: r.decidedBy,
        reason: `denied by ${r.decidedBy}`,
      };
    case 'cancelled':
      return { approved: false, reason: 'the request was withdrawn' };
    default:
      return {
        approved: false,
        reason: 'no approver decided in time (denied)',
      };
  }
}

/** Creates the request and waits for its decision (timeout and cancel decide it themselves). */
export async function waitForReview(
  deps: ReviewDeps,
  session: SessionRecord,
  command: string,
  verdict: Verdict,
  cancel: AbortSignal,
): Promise<ReviewOutcome> {
  const { store } = deps;
  const now = deps.now();
  const review = await store.createReview({
    sessionId: session.id,
    command,
    detail: verdict.detail,
    ruleId: verdict.rule?.id,
    ruleName: verdict.rule?.name,
    requestedBy: session.userRef,
    host: session.host,
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + deps.timeoutSeconds * 1000).toISOString(),
  });
  deps.audit('command-review-request', session.userRef, {
    reviewId: review.id,
    sessionId: session.id,
    host: session.host,
    hostRef: session.hostRef,
    command,
    rule: verdict.rule?.name ?? null,
  });
  const expires = new Date(review.expiresAt).getTime();
  for (;;) {
    if (cancel.aborted) {
      await store.decideReview(review.id, 'cancelled', session.userRef);
    } else if (deps.now() >= expires) {
      if (await store.decideReview(review.id, 'timeout')) {
        deps.audit('command-review-timeout', session.userRef, {
          reviewId: review.id,
          sessionId: session.id,
          host: session.host,
          command,
        });
      }
    }
    const current = await store.getReview(review.id);
    if (current && current.status !== 'pending') return outcomeOf(current);
    await sleep(POLL_MS, cancel);
  }
}
