/**
 * The opsdeck tickets frontend (new frontend system): My requests, Waiting
 * for me, All tickets and the ticket page.
 *
 * @packageDocumentation
 */
export { ticketsPlugin as default } from './plugin';
export { ticketsTranslationRef } from './translation/translation';
export { TicketsClient } from './api/TicketsClient';
export type * from './api/TicketsClient';
