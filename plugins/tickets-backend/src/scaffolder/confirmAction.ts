import type { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ApprovalLevel } from '../model';
import { awaitDecision, type TicketsWorkflowApi } from './approvalAction';
import { resolveLevel } from './approvers';

/** Id of the confirmation step action. */
export const CONFIRM_ACTION_ID = 'opsdeck:ticket:confirm';

/**
 * `opsdeck:ticket:confirm`: opens a ticket that waits for ONE named person
 * (or group) to confirm something is done — the reporter confirms a bug fix
 * (`confirmer: requester`), the tester who took a build says testing is
 * over. Unlike an approval, the requester may act here when they are the
 * confirmer, and only the confirmer may: nobody confirms on someone's behalf.
 * Confirmed → the next steps run; "not confirmed" → the task fails.
 */
export function createConfirmAction(options: {
  tickets: TicketsWorkflowApi;
  catalog: CatalogService;
  auth: AuthService;
  /** How often the ticket is read while waiting (default 5 s). */
  pollIntervalMs?: number;
}) {
  const pollIntervalMs = options.pollIntervalMs ?? 5000;
  return createTemplateAction({
    id: CONFIRM_ACTION_ID,
    description:
      'Opens a ticket that waits until the named confirmer (the requester, a user or a group) confirms; only the confirmer may act.',
    supportsDryRun: true,
    examples: [
      {
        description: 'The reporter confirms the fix',
        example: [
          'steps:',
          '  - id: verify',
          '    action: opsdeck:ticket:confirm',
          '    input:',
          '      title: Confirm the fix of ${{ parameters.title }}',
          '      confirmer: requester',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        title: z => z.string().min(1).max(255).describe('Ticket title'),
        summary: z =>
          z.string().max(4000).optional().describe('What is to be confirmed'),
        confirmer: z =>
          z
            .string()
            .min(1)
            .describe(
              '"requester" (the person who started the task), or a user/group ref',
            ),
        expiresInHours: z =>
          z
            .number()
            .positive()
            .max(24 * 90)
            .optional()
            .describe(
              'Not confirmed automatically after this long (default 336)',
            ),
        details: z =>
          z
            .record(z.any())
            .optional()
            .describe('What the confirmer sees (no secrets)'),
      },
      output: {
        ticketId: z => z.number().describe('The confirmation ticket'),
        confirmedBy: z => z.string().describe('Who confirmed'),
      },
    },
    async handler(ctx) {
      const requester = ctx.user?.ref;
      if (!requester) {
        throw new InputError('The task has no user to ask for a confirmation');
      }
      const confirmer = ctx.input.confirmer.trim();
      const level: ApprovalLevel =
        confirmer === 'requester'
          ? {
              approvers: [requester],
              label: `${requester} (the requester) confirms`,
              kind: 'confirmation',
            }
          : {
              ...(await resolveLevel([confirmer], options)),
              kind: 'confirmation',
            };
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would ask ${level.approvers.join(', ')} to confirm (dry run)`,
        );
        ctx.output('ticketId', 0);
        ctx.output('confirmedBy', '');
        return;
      }
      const hours = ctx.input.expiresInHours ?? 24 * 14;
      const submitted = await options.tickets.submit({
        key: `task:${ctx.task.id}:${ctx.step?.id ?? CONFIRM_ACTION_ID}`,
        title: ctx.input.title,
        summary: ctx.input.summary,
        templateRef: ctx.templateInfo?.entityRef,
        taskId: ctx.task.id,
        requester,
        levels: [level],
        details: ctx.input.details,
        expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString(),
      });
      ctx.logger.info(
        `Ticket ${submitted.id} waits for ${level.approvers.join(
          ', ',
        )} to confirm`,
      );
      const confirmedBy = await awaitDecision({
        tickets: options.tickets,
        ticketId: submitted.id,
        pollIntervalMs,
        logger: ctx.logger,
        signal: ctx.signal,
      });
      ctx.output('ticketId', submitted.id);
      ctx.output('confirmedBy', confirmedBy[0] ?? '');
    },
  });
}
