import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type { BastionStore, SessionRecord } from '../database/BastionStore';
import type { SessionManager } from '../session/SessionManager';
import type { AnyRequest, AuditEventSpec, BastionRouter } from './router';

/**
 * Command review (rule action `review`): approvers list the waiting commands and decide;
 * the first decision wins (one conditional UPDATE), never one's own. Also what the host saw run
 * in a session (exec audit), beside the commands typed.
 */
export function addReviewRoutes(
  router: BastionRouter,
  deps: {
    store: BastionStore;
    sessions: SessionManager;
    /** The caller's credentials (the route's permission was checked by the request guard). */
    credentials(req: AnyRequest): Promise<BackstageCredentials>;
    actorOf(credentials: BackstageCredentials): string;
    audited<T>(
      req: AnyRequest,
      spec: AuditEventSpec,
      action: () => Promise<T>,
      successMeta?: (result: T) => JsonObject,
    ): Promise<T>;
    visibleSession(req: AnyRequest, id: string): Promise<SessionRecord>;
  },
) {
  const { store, credentials, actorOf, audited } = deps;

  // opsdeck.bastion.command.review, checked by the request guard (schema/access.ts)
  router.get('/reviews', async (req, res) => {
    res.json({
      items: await store.listReviews({
        status: req.query.status,
        limit: req.query.limit,
      }),
    });
  });

  router.post('/reviews/:id/:decision', async (req, res) => {
    const { id, decision } = req.params;
    const decided = await audited(
      req,
      {
        eventId:
          decision === 'approve'
            ? 'command-review-approve'
            : 'command-review-deny',
        severityLevel: 'high',
        target: `bastion-review:${id}`,
        meta: { reviewId: id },
      },
      async () => {
        const actor = actorOf(await credentials(req));
        const review = await store.getReview(id);
        if (!review) throw new NotFoundError(`No review request ${id}`);
        if (review.requestedBy === actor) {
          throw new NotAllowedError('You cannot review your own command');
        }
        const status = decision === 'approve' ? 'approved' : 'denied';
        if (!(await store.decideReview(id, status, actor))) {
          const now = await store.getReview(id);
          throw new ConflictError(
            `The request was already ${now?.status ?? 'decided'}`,
          );
        }
        return (await store.getReview(id))!;
      },
      r => ({
        sessionId: r.sessionId,
        requestedBy: r.requestedBy,
        host: r.host,
        command: r.command,
        rule: r.ruleName ?? null,
      }),
    );
    res.json(decided);
  });

  router.get('/sessions/:id/execs', async (req, res) => {
    const session = await deps.visibleSession(req, req.params.id);
    res.json({
      execAudit: session.execAudit,
      items: (await store.listExecs(session.id)).map(
        ({ sessionId: _s, ...e }) => e,
      ),
    });
  });
}
