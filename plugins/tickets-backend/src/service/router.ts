import type {
  AuditorService,
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import { checkAccount } from '@opsdeck/plugin-sql-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import type { Request } from 'express';
import { isConfirmationLevel, Ticket, TicketState } from '../model';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { TicketService } from './TicketService';

/** Where a workflow may move a ticket from. */
const WORKFLOW_FROM: Record<string, TicketState[]> = {
  fulfilling: ['approved'],
  done: ['approved', 'fulfilling'],
  failed: ['approved', 'fulfilling'],
};

/** The tickets HTTP API. */
export async function createRouter(options: {
  service: TicketService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  /** The vault's `getSecret`: the account check takes the account's password out. */
  getSecret?: VaultService['getSecret'];
}) {
  const { service, userInfo } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const router = await createOpenApiRouter({ guard });

  /** The signed-in user (the guard checked the operation's permission). */
  async function asUser(req: Request<any, any, any, any, any>) {
    const credentials = await guard.credentials(req, ['user']);
    const info = await userInfo.getUserInfo(credentials);
    const principal = credentials.principal as BackstageUserPrincipal;
    return {
      userRef: principal.userEntityRef,
      refs: [
        ...new Set([principal.userEntityRef, ...info.ownershipEntityRefs]),
      ],
    };
  }

  /** The caller's user ref and groups, or none for a service. */
  async function callerRefs(req: Request<any, any, any, any, any>) {
    const credentials = await guard.credentials(req);
    if (credentials.principal.type !== 'user') return undefined;
    const principal = credentials.principal as BackstageUserPrincipal;
    const info = await userInfo.getUserInfo(
      credentials as BackstageCredentials<BackstageUserPrincipal>,
    );
    return {
      userRef: principal.userEntityRef,
      refs: [
        ...new Set([principal.userEntityRef, ...info.ownershipEntityRefs]),
      ],
    };
  }

  function canDecide(
    ticket: Ticket,
    caller: { userRef: string; refs: string[] } | undefined,
  ) {
    return Boolean(
      caller &&
        ticket.state === 'awaiting_approval' &&
        (isConfirmationLevel(ticket) || ticket.requester !== caller.userRef) &&
        ticket.assignees.some(a => caller.refs.includes(a)),
    );
  }

  router.get('/tickets', async (req, res) => {
    const { view = 'all', state, requester, q, limit, offset } = req.query;
    const caller = view === 'all' ? undefined : await callerRefs(req);
    if (view !== 'all' && !caller) {
      throw new NotAllowedError(`view=${view} needs a signed-in user`);
    }
    res.json(
      await service.store.list({
        state: state as TicketState | undefined,
        requester: view === 'mine' ? caller!.userRef : requester,
        approverRefs: view === 'inbox' ? caller!.refs : undefined,
        excludeRequester: view === 'inbox' ? caller!.userRef : undefined,
        q,
        limit,
        offset,
      }),
    );
  });

  router.get('/tickets/:id', async (req, res) => {
    const detail = await service.store.getDetail(req.params.id);
    if (!detail) throw new NotFoundError(`No ticket ${req.params.id}`);
    res.json({
      ...detail,
      canDecide: canDecide(detail, await callerRefs(req)),
    });
  });

  router.post('/tickets/:id/decision', async (req, res) => {
    const caller = await asUser(req);
    const outcome = await service.decide(
      {
        id: req.params.id,
        actor: caller.userRef,
        actorRefs: caller.refs,
        decision: req.body.decision === 'approve' ? 'approved' : 'rejected',
        comment: req.body.comment?.trim() || undefined,
      },
      req,
    );
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'not-found':
          throw new NotFoundError(`No ticket ${req.params.id}`);
        case 'own-request':
          throw new NotAllowedError('You cannot decide your own request');
        case 'not-confirmer':
          throw new NotAllowedError(
            'Only the person named by the confirmation step may confirm it',
          );
        case 'not-approver':
          throw new NotAllowedError(
            'You are not an approver of this ticket at its current level',
          );
        default:
          throw new ConflictError('The ticket is not awaiting approval');
      }
    }
    res.json(outcome.ticket);
  });

  router.post('/tickets/:id/comments', async (req, res) => {
    const caller = await asUser(req);
    const comment = await service.comment(
      req.params.id,
      caller.userRef,
      req.body.body.trim(),
      req,
    );
    if (!comment) throw new NotFoundError(`No ticket ${req.params.id}`);
    res.status(201).json(comment);
  });

  router.post('/tickets/:id/account-check', async (req, res) => {
    const caller = await asUser(req);
    const detail = await service.store.getDetail(req.params.id);
    if (!detail) throw new NotFoundError(`No ticket ${req.params.id}`);
    const involved =
      detail.requester === caller.userRef ||
      detail.levels.some(l => l.approvers.some(a => caller.refs.includes(a)));
    if (!involved) {
      throw new NotAllowedError(
        'Only the requester and the approvers may check the account',
      );
    }
    const r = (detail.result ?? {}) as Record<string, unknown>;
    if (
      detail.state !== 'done' ||
      typeof r.credential !== 'string' ||
      typeof r.account !== 'string' ||
      typeof r.database !== 'string' ||
      !options.getSecret
    ) {
      throw new ConflictError('This ticket has no database account to check');
    }
    const event = await service.audit('ticket-account-check', req, {
      ticketId: detail.id,
      account: r.account,
      credential: r.credential,
    });
    let outcome: Awaited<ReturnType<typeof checkAccount>>;
    try {
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const secret = await options.getSecret(r.credential, {
        // log in as the account: it reads, or reads and writes
        use: r.privilege === 'read-write' ? 'db-change' : 'db-read',
        for: secretTarget({
          ref: r.database,
          owner: str(r.owner),
          system: str(r.system),
          environment: str(r.environment),
        }),
        actor: caller.userRef,
      });
      if (secret.type !== 'password') {
        throw new ConflictError(
          `Vault credential ${r.credential} is not a password`,
        );
      }
      outcome = await checkAccount({
        engine: r.engine === 'mysql' ? 'mysql' : 'postgresql',
        host: String(r.address ?? '127.0.0.1'),
        port: Number(r.port ?? 5432),
        user: r.account,
        password: secret.password,
        database: String(r.databaseName ?? 'postgres'),
      });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    await event.success({ meta: { connected: outcome.connected } });
    res.json(outcome);
  });

  // --- workflow routes: backend services (the scaffolder actions) only ---

  async function asService(req: Request<any, any, any, any, any>) {
    const credentials = await guard.credentials(req, ['service']);
    return (credentials.principal as BackstageServicePrincipal).subject;
  }

  router.post('/workflow/tickets', async (req, res) => {
    const subject = await asService(req);
    const body = req.body;
    const { ticket, created } = await service.submit(
      {
        key: body.key,
        title: body.title,
        summary: body.summary,
        templateRef: body.templateRef,
        taskId: body.taskId,
        requester: body.requester,
        levels: body.levels.map(l => ({
          approvers: [...l.approvers],
          label: l.label,
          ...(l.kind ? { kind: l.kind } : {}),
        })),
        details: body.details as Record<string, unknown> | undefined,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      },
      subject,
      req,
    );
    res.status(created ? 201 : 200).json(ticket);
  });

  router.get('/workflow/tickets/:id', async (req, res) => {
    await asService(req);
    const ticket = await service.store.get(req.params.id);
    if (!ticket) throw new NotFoundError(`No ticket ${req.params.id}`);
    if (
      ticket.state === 'awaiting_approval' &&
      ticket.expiresAt &&
      Date.parse(ticket.expiresAt) <= Date.now()
    ) {
      await service.expireDue();
    }
    const detail = await service.store.getDetail(req.params.id);
    res.json({ ...detail!, canDecide: false });
  });

  router.post('/workflow/tickets/:id/state', async (req, res) => {
    const subject = await asService(req);
    const existing = await service.store.get(req.params.id);
    if (!existing) throw new NotFoundError(`No ticket ${req.params.id}`);
    const to = req.body.state as TicketState;
    const moved = await service.transition(
      {
        id: req.params.id,
        actor: subject,
        to,
        from: WORKFLOW_FROM[to],
        message: req.body.message,
        result: req.body.result as Record<string, unknown> | undefined,
        onBehalfOf: existing.requester,
      },
      req,
    );
    if (!moved) {
      throw new ConflictError(
        `Ticket ${req.params.id} is ${existing.state}; it cannot become ${to}`,
      );
    }
    res.json(moved);
  });

  router.post('/workflow/tickets/:id/steps', async (req, res) => {
    await asService(req);
    if (!(await service.store.get(req.params.id))) {
      throw new NotFoundError(`No ticket ${req.params.id}`);
    }
    res.json(
      await service.beginStep(
        req.params.id,
        req.body.step,
        req.body.target,
        req,
      ),
    );
  });

  router.post('/workflow/tickets/:id/steps/done', async (req, res) => {
    await asService(req);
    const done = await service.finishStep(
      req.params.id,
      req.body.step,
      req.body.target,
      req.body.result as Record<string, unknown>,
      req,
    );
    if (!done) {
      throw new NotFoundError(
        `Ticket ${req.params.id} has no step ${req.body.step} for ${req.body.target}`,
      );
    }
    res.json(done);
  });

  // --- change approvals (@opsdeck/plugin-tickets-node): backend services only ---

  router.post('/workflow/changes', async (req, res) => {
    const subject = await asService(req);
    const body = req.body;
    const ticket = await service.requestChange(
      {
        kind: body.kind,
        target: body.target,
        summary: body.summary,
        change: body.change,
        requester: body.requester,
      },
      subject,
      req,
    );
    res.status(201).json({
      ticketId: ticket.id,
      url: `/tickets/${ticket.id}`,
      digest: ticket.change!.digest,
      approvers: ticket.levels.flatMap(l => l.approvers),
      ...(ticket.expiresAt ? { expiresAt: ticket.expiresAt } : {}),
    });
  });

  router.post('/workflow/changes/:id/claim', async (req, res) => {
    await asService(req);
    const outcome = await service.claimChange(
      {
        id: req.params.id,
        kind: req.body.kind,
        target: req.body.target,
        digest: req.body.digest,
        claimer: req.body.claimer,
      },
      req,
    );
    if (!outcome.ok) {
      res.json({ ok: false, reason: outcome.reason, message: outcome.message });
      return;
    }
    res.json({
      ok: true,
      ticketId: outcome.ticket.id,
      requester: outcome.ticket.requester,
      approvedBy: outcome.approvedBy,
      digest: outcome.ticket.change!.digest,
    });
  });

  router.post('/workflow/changes/:id/status', async (req, res) => {
    await asService(req);
    const status = await service.changeStatus(
      req.params.id,
      req.body.requester,
    );
    if (!status) {
      throw new NotFoundError(`No change approval ${req.params.id}`);
    }
    res.json({ status });
  });

  return router;
}
