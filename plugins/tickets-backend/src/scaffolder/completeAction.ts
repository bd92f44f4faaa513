import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { TicketsWorkflowApi } from './approvalAction';

/** Id of the action that closes a ticket after other fulfilment steps. */
export const COMPLETE_ACTION_ID = 'opsdeck:tickets:complete';

/**
 * `opsdeck:tickets:complete`: marks an approved ticket done, for templates
 * whose fulfilment is another action (e.g. `opsdeck:cmdb:register-hosts`).
 * With no ticket (0: no approval was needed) it does nothing.
 */
export function createCompleteAction(options: { tickets: TicketsWorkflowApi }) {
  return createTemplateAction({
    id: COMPLETE_ACTION_ID,
    description: 'Marks the ticket of this run done with a message.',
    supportsDryRun: true,
    schema: {
      input: {
        ticketId: z =>
          z.number().int().min(0).describe('The ticket; 0 means none'),
        message: z => z.string().max(4000).describe('What was done'),
      },
    },
    async handler(ctx) {
      const { ticketId, message } = ctx.input;
      if (!ticketId || ctx.isDryRun) return;
      const ticket = await options.tickets.poll(ticketId);
      if (ticket.state === 'done') return;
      await options.tickets.setState(ticketId, 'done', message);
      ctx.logger.info(`Ticket ${ticketId} is done`);
    },
  });
}
