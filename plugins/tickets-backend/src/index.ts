/**
 * opsdeck's tickets: the `tickets` backend plugin (tickets, approvals,
 * comments, history, /api/tickets) and `scaffolderModuleTickets`, the
 * scaffolder actions for the approval step and the fulfilment steps.
 *
 * @packageDocumentation
 */
export { ticketsPlugin as default } from './plugin';
export { scaffolderModuleTickets } from './scaffolder/module';
export { APPROVAL_ACTION_ID } from './scaffolder/approvalAction';
export { DATABASE_ACCOUNT_ACTION_ID } from './scaffolder/databaseAccountAction';
export { SERVER_ACCESS_ACTION_ID } from './scaffolder/serverAccessAction';
export { COMPLETE_ACTION_ID } from './scaffolder/completeAction';
export type * from './model';
export type * from './database/TicketStore';
