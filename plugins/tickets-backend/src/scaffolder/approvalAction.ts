import type { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import type { TicketDetail } from '../model';
import { resolveLevel } from './approvers';
import { resolveResource, resolveResources } from './catalogResources';
import type { TicketsClient } from './TicketsClient';

/** Id of the approval step action. */
export const APPROVAL_ACTION_ID = 'opsdeck:approval:request';

/** The calls the actions make to the tickets plugin. */
export type TicketsWorkflowApi = Pick<
  TicketsClient,
  'submit' | 'poll' | 'setState' | 'beginStep' | 'finishStep'
>;

/** States that mean the approval was granted (later ones: fulfilment ran). */
const APPROVED_STATES = ['approved', 'fulfilling', 'done', 'failed'];

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The task was cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(new Error('The task was cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `opsdeck:approval:request`: opens a ticket for the template run and waits
 * until its approvers decide. Approved → the next steps run; rejected or
 * expired → the step fails, so nothing after it runs.
 *
 * The ticket is keyed by task id + step id, so when the scaffolder recovers
 * the task after a backend restart (`scaffolder.taskRecovery.enabled`), this
 * step runs again, finds the same ticket and keeps waiting on it.
 */
export function createApprovalAction(options: {
  tickets: TicketsWorkflowApi;
  catalog: CatalogService;
  auth: AuthService;
  /** How often the ticket is read while waiting (default 5 s). */
  pollIntervalMs?: number;
}) {
  const pollIntervalMs = options.pollIntervalMs ?? 5000;
  return createTemplateAction({
    id: APPROVAL_ACTION_ID,
    description:
      'Opens a ticket and waits until its approvers approve (the next steps run) or reject it (the task fails). The requester cannot approve their own request.',
    supportsDryRun: true,
    examples: [
      {
        description: 'One approval by the dba group',
        example: [
          'steps:',
          '  - id: approval',
          '    action: opsdeck:approval:request',
          '    input:',
          '      title: Database account on ${{ parameters.database }}',
          '      approvers: [group:default/dba]',
        ].join('\n'),
      },
      {
        description: 'The owner of the entity, then ops',
        example: [
          'steps:',
          '  - id: approval',
          '    action: opsdeck:approval:request',
          '    input:',
          '      title: Access to ${{ parameters.host }}',
          '      levels:',
          "        - ['owner:${{ parameters.host }}']",
          '        - [group:default/ops]',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        title: z => z.string().min(1).max(255).describe('Ticket title'),
        summary: z =>
          z.string().max(4000).optional().describe('What is requested'),
        approvers: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'One level: groups/users (group:default/dba, user:default/bob) or owner:<entity ref>',
            ),
        levels: z =>
          z
            .array(z.array(z.string()))
            .optional()
            .describe('Several levels, decided in order'),
        expiresInHours: z =>
          z
            .number()
            .positive()
            .max(24 * 90)
            .optional()
            .describe('Rejected automatically after this long (default 72)'),
        details: z =>
          z
            .record(z.any())
            .optional()
            .describe('What the approvers see (no secrets)'),
        hosts: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Hosts the request is about (OpsdeckHostPicker); each must be a catalog Resource of type host',
            ),
        database: z =>
          z
            .string()
            .optional()
            .describe(
              'Database the request is about (OpsdeckDatabasePicker); must be a catalog Resource of type database',
            ),
      },
      output: {
        ticketId: z => z.number().describe('The ticket'),
        approvedBy: z => z.array(z.string()).describe('Who approved'),
      },
    },
    async handler(ctx) {
      const names =
        ctx.input.levels ??
        (ctx.input.approvers ? [ctx.input.approvers] : undefined);
      if (!names || names.length === 0) {
        throw new InputError('Give approvers or levels');
      }
      const levels = [];
      for (const level of names) {
        levels.push(await resolveLevel(level, options));
      }
      const requester = ctx.user?.ref;
      if (!requester) {
        throw new InputError('The task has no user to request the approval');
      }
      // No ticket for a request about something that is not in the catalog.
      if (ctx.input.hosts !== undefined || ctx.input.database !== undefined) {
        const credentials = await ctx.getInitiatorCredentials();
        if (ctx.input.hosts !== undefined) {
          await resolveResources(
            options.catalog,
            ctx.input.hosts,
            'host',
            credentials,
          );
        }
        if (ctx.input.database !== undefined) {
          await resolveResource(
            options.catalog,
            ctx.input.database,
            'database',
            credentials,
          );
        }
      }
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would open a ticket for ${requester}, approvers: ${levels
            .map(l => l.label)
            .join(' → ')} (dry run)`,
        );
        ctx.output('ticketId', 0);
        ctx.output('approvedBy', []);
        return;
      }
      const hours = ctx.input.expiresInHours ?? 72;
      const submitted = await options.tickets.submit({
        key: `task:${ctx.task.id}:${ctx.step?.id ?? APPROVAL_ACTION_ID}`,
        title: ctx.input.title,
        summary: ctx.input.summary,
        templateRef: ctx.templateInfo?.entityRef,
        taskId: ctx.task.id,
        requester,
        levels,
        details: ctx.input.details,
        expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString(),
      });
      // the ticket is stored and waits: a crash here must not lose it
      crashPoint('tickets.approval.submitted');
      ctx.logger.info(
        `Ticket ${submitted.id} is ${submitted.state.replace(
          '_',
          ' ',
        )}; waiting for ${levels.map(l => l.label).join(' → ')}`,
      );

      const approvedBy = await awaitDecision({
        tickets: options.tickets,
        ticketId: submitted.id,
        pollIntervalMs,
        logger: ctx.logger,
        signal: ctx.signal,
      });
      ctx.output('ticketId', submitted.id);
      ctx.output('approvedBy', approvedBy);
    },
  });
}

/**
 * Polls a ticket until its levels are decided: returns who approved (or
 * confirmed); throws when it was rejected or expired, so the task fails and
 * nothing after the step runs.
 */
export async function awaitDecision(options: {
  tickets: TicketsWorkflowApi;
  ticketId: number;
  pollIntervalMs: number;
  logger: { info(message: string): void };
  signal?: AbortSignal;
}): Promise<string[]> {
  let lastLevel = -1;
  for (;;) {
    const ticket: TicketDetail = await options.tickets.poll(options.ticketId);
    if (APPROVED_STATES.includes(ticket.state)) {
      const approvedBy = ticket.decisions
        .filter(d => d.decision === 'approved')
        .map(d => d.actor);
      options.logger.info(
        `Ticket ${ticket.id} approved by ${approvedBy.join(', ')}`,
      );
      return approvedBy;
    }
    if (ticket.state === 'rejected') {
      const rejection = ticket.decisions.find(d => d.decision === 'rejected');
      throw new Error(
        rejection
          ? `Ticket ${ticket.id} was rejected by ${rejection.actor}${
              rejection.comment ? `: ${rejection.comment}` : ''
            }`
          : `Ticket ${ticket.id} was rejected: ${
              ticket.message ?? 'no reason given'
            }`,
      );
    }
    if (ticket.currentLevel !== lastLevel) {
      lastLevel = ticket.currentLevel;
      options.logger.info(
        `Waiting for ${ticket.assignees.join(', ')} (level ${
          ticket.currentLevel + 1
        } of ${ticket.levels.length})`,
      );
    }
    await sleep(options.pollIntervalMs, options.signal);
  }
}
