import type {
  AuditorService,
  AuditorServiceEvent,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  approvalStatus,
  changeDigest,
  type ApprovalStatus,
  type ChangeKind,
} from '@opsdeck/plugin-tickets-node';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { FulfilmentStepStore, TicketStore } from '../database/TicketStore';
import {
  ApprovalLevel,
  ClaimOutcome,
  ClaimRequest,
  DecisionOutcome,
  FulfilmentStep,
  NewTicket,
  Ticket,
  TicketState,
} from '../model';

/**
 * The tickets' business rules on top of the store: every state change is
 * audited and notifies whoever has to act next or the requester.
 */
export class TicketService {
  constructor(
    private readonly deps: {
      store: TicketStore;
      /** Fulfilment steps (idempotency keys of what fulfilment does). */
      steps?: FulfilmentStepStore;
      auditor: AuditorService;
      notifications?: NotificationService;
      logger: LoggerService;
      /** The approvers of a change approval of this kind (one level). */
      changeApprovers?: (kind: ChangeKind) => Promise<ApprovalLevel>;
      /** How long a change approval may wait for a decision and its use. */
      changeApprovalHours?: number;
      now?: () => Date;
    },
  ) {}

  /**
   * Opens a change approval (`@opsdeck/plugin-tickets-node`) for its
   * requester: the kind's approvers decide; the ticket keeps the change
   * and the sha256 of its canonical JSON, which the claim must match.
   */
  async requestChange(
    input: {
      kind: ChangeKind;
      target: string;
      summary: string;
      change: unknown;
      requester: string;
    },
    service: string,
    request?: Request<any, any, any, any, any>,
  ): Promise<Ticket> {
    if (!this.deps.changeApprovers) throw new Error('No change approvers');
    const level = await this.deps.changeApprovers(input.kind);
    const digest = changeDigest(input.change);
    const now = this.deps.now?.() ?? new Date();
    const hours = this.deps.changeApprovalHours ?? 24;
    const what =
      input.kind === 'config-release' ? 'Config release' : 'Kubernetes action';
    const { ticket } = await this.submit(
      {
        key: `change:${randomUUID()}`,
        title: `${what} on prod: ${input.summary}`.slice(0, 255),
        summary: input.summary,
        requester: input.requester,
        levels: [{ ...level, kind: 'approval' }],
        details: {
          changeKind: input.kind,
          target: input.target,
          change: input.change,
          digest,
          service,
        },
        expiresAt: new Date(now.getTime() + hours * 3_600_000),
        change: { kind: input.kind, target: input.target, digest },
      },
      service,
      request,
    );
    return ticket;
  }

  /** Uses a change approval once (audited as the claimer, refusals too). */
  async claimChange(
    claim: ClaimRequest,
    request?: Request<any, any, any, any, any>,
  ): Promise<ClaimOutcome> {
    const event = await this.event('ticket-change-claim', 'medium', request, {
      actor: claim.claimer,
      ticketId: claim.id,
      kind: claim.kind,
      changeTarget: claim.target,
      digest: claim.digest,
    });
    const outcome = await this.deps.store.claimChange(claim);
    if (outcome.ok) {
      await event.success({ meta: { approvedBy: outcome.approvedBy } });
    } else {
      await event.fail({
        error: new Error(outcome.reason),
        meta: { reason: outcome.reason },
      });
    }
    return outcome;
  }

  /**
   * Where a change approval stands for its requester (read only, not
   * audited: it changes nothing); undefined when the ticket is not a change
   * approval requested by `requester`.
   */
  async changeStatus(
    id: number,
    requester: string,
  ): Promise<ApprovalStatus | undefined> {
    const ticket = await this.deps.store.get(id);
    if (!ticket?.change || ticket.requester !== requester) return undefined;
    return approvalStatus(
      {
        state: ticket.state,
        claimedAt: ticket.change.claimedAt,
        expiresAt: ticket.expiresAt,
      },
      new Date(),
    );
  }

  get store(): TicketStore {
    return this.deps.store;
  }

  /** Creates the ticket for a workflow step, or returns it when it exists. */
  async submit(
    input: NewTicket,
    actor: string,
    request?: Request<any, any, any, any, any>,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const event = await this.event('ticket-submit', 'medium', request, {
      // a template step submits it for the requester (audited as the person)
      actor: input.requester,
      key: input.key,
      requester: input.requester,
      template: input.templateRef,
      approvers: input.levels.map(l => l.approvers),
    });
    try {
      const outcome = await this.deps.store.createOrGet(input, actor);
      await event.success({
        meta: {
          ticketId: outcome.ticket.id,
          created: outcome.created,
          state: outcome.ticket.state,
        },
      });
      if (outcome.created) await this.notifyApprovers(outcome.ticket);
      return outcome;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  async decide(
    options: {
      id: number;
      actor: string;
      actorRefs: string[];
      decision: 'approved' | 'rejected';
      comment?: string;
    },
    request?: Request<any, any, any, any, any>,
  ): Promise<DecisionOutcome> {
    const event = await this.event('ticket-decide', 'medium', request, {
      ticketId: options.id,
      decision: options.decision,
      approver: options.actor,
    });
    const outcome = await this.deps.store.decide(options);
    if (!outcome.ok) {
      await event.fail({ error: new Error(outcome.reason) });
      return outcome;
    }
    await event.success({
      meta: { from: outcome.from, to: outcome.ticket.state },
    });
    if (outcome.ticket.state === 'awaiting_approval') {
      await this.notifyApprovers(outcome.ticket);
    } else {
      await this.notifyRequester(outcome.ticket, options.comment);
    }
    return outcome;
  }

  /** A state set by the ticket's workflow (fulfilling, done, failed). */
  async transition(
    options: {
      id: number;
      actor: string;
      to: TicketState;
      message?: string;
      result?: Record<string, unknown>;
      from: TicketState[];
      /** The person the workflow acts for (the requester), for the audit log. */
      onBehalfOf?: string;
    },
    request?: Request<any, any, any, any, any>,
  ): Promise<Ticket | undefined> {
    const event = await this.event('ticket-state', 'medium', request, {
      ...(options.onBehalfOf ? { actor: options.onBehalfOf } : {}),
      ticketId: options.id,
      to: options.to,
    });
    const moved = await this.deps.store.transition(options);
    if (!moved) {
      await event.fail({
        error: new Error(`ticket not in ${options.from.join('/')}`),
      });
      return undefined;
    }
    await event.success({ meta: { from: moved.from } });
    if (['done', 'failed'].includes(options.to)) {
      await this.notifyRequester(moved.ticket, options.message);
    }
    return moved.ticket;
  }

  /**
   * Starts a fulfilment step of a ticket, or finds it: a step that is done
   * comes back with what it made; one that was started before (the process
   * doing it died) comes back started with one more attempt, audited as
   * replayed.
   */
  async beginStep(
    ticketId: number,
    step: string,
    target: string,
    request?: Request<any, any, any, any, any>,
  ): Promise<FulfilmentStep> {
    const found = await this.steps().begin(ticketId, step, target);
    if (found.state === 'done' || found.attempts > 1) {
      const event = await this.event(
        'ticket-step-replayed',
        'medium',
        request,
        {
          ticketId,
          step,
          target,
          state: found.state,
          attempts: found.attempts,
        },
      );
      await event.success();
    }
    return found;
  }

  /** Records what a fulfilment step made (audited). */
  async finishStep(
    ticketId: number,
    step: string,
    target: string,
    result: Record<string, unknown>,
    request?: Request<any, any, any, any, any>,
  ): Promise<FulfilmentStep | undefined> {
    const event = await this.event('ticket-step-done', 'low', request, {
      ticketId,
      step,
      target,
      result,
    });
    const done = await this.steps().finish(ticketId, step, target, result);
    if (done) await event.success();
    else await event.fail({ error: new Error('no such step') });
    return done;
  }

  private steps(): FulfilmentStepStore {
    if (!this.deps.steps) throw new Error('No fulfilment step store');
    return this.deps.steps;
  }

  /** Rejects expired approvals (audited, requester notified). */
  async expireDue(now?: Date): Promise<Ticket[]> {
    const expired = await this.deps.store.expireDue(now);
    for (const ticket of expired) {
      const event = await this.event('ticket-expire', 'medium', undefined, {
        ticketId: ticket.id,
        from: 'awaiting_approval',
        to: 'rejected',
      });
      await event.success();
      await this.notifyRequester(ticket, ticket.message);
    }
    return expired;
  }

  async comment(
    id: number,
    author: string,
    body: string,
    request?: Request<any, any, any, any, any>,
  ) {
    const event = await this.event('ticket-comment', 'low', request, {
      ticketId: id,
    });
    const comment = await this.deps.store.addComment(id, author, body);
    if (!comment) await event.fail({ error: new Error('no such ticket') });
    else await event.success();
    return comment;
  }

  /** An audit event about a ticket that changes no state (e.g. a check). */
  audit(
    eventId: string,
    request: Request<any, any, any, any, any>,
    meta: Record<string, unknown>,
  ): Promise<AuditorServiceEvent> {
    return this.event(eventId, 'low', request, meta);
  }

  private event(
    eventId: string,
    severityLevel: 'low' | 'medium',
    request: Request<any, any, any, any, any> | undefined,
    meta: Record<string, unknown>,
  ): Promise<AuditorServiceEvent> {
    return this.deps.auditor.createEvent({
      eventId,
      severityLevel,
      request,
      meta: { ...meta, target: `ticket:${meta.ticketId ?? meta.key}` },
    });
  }

  private async notifyApprovers(ticket: Ticket) {
    if (ticket.assignees.length === 0) return;
    await this.send(
      {
        type: 'entity',
        entityRef: ticket.assignees,
        excludeEntityRef: ticket.requester,
      },
      {
        title: `Approval needed: ${ticket.title} (ticket ${ticket.id})`,
        description: `${ticket.requester} asks for approval. ${
          ticket.summary ?? ''
        }`.trim(),
        link: `/tickets/${ticket.id}`,
        severity: 'high',
        topic: `ticket-${ticket.id}`,
      },
    );
  }

  private async notifyRequester(ticket: Ticket, why?: string) {
    const words: Partial<Record<TicketState, string>> = {
      approved: 'approved',
      rejected: 'rejected',
      done: 'done',
      failed: 'failed',
    };
    const word = words[ticket.state] ?? ticket.state;
    await this.send(
      { type: 'entity', entityRef: ticket.requester },
      {
        title: `Ticket ${ticket.id} ${word}: ${ticket.title}`,
        description: why ?? ticket.message ?? '',
        link: `/tickets/${ticket.id}`,
        severity: ticket.state === 'done' ? 'normal' : 'high',
        topic: `ticket-${ticket.id}`,
      },
    );
  }

  // A notification that cannot be sent must not undo the decision.
  private async send(
    recipients: Parameters<NotificationService['send']>[0]['recipients'],
    payload: Parameters<NotificationService['send']>[0]['payload'],
  ) {
    if (!this.deps.notifications) return;
    try {
      await this.deps.notifications.send({ recipients, payload });
    } catch (error) {
      this.deps.logger.warn(
        `Could not send the notification "${payload.title}": ${error}`,
      );
    }
  }
}
