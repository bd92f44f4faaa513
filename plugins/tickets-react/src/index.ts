/**
 * opsdeck's change approvals for frontend plugins: `ApprovalPanel` (ask for
 * an approval ticket for a gated prod change, show the opened ticket, run
 * the change with an approved ticket) and the wire types of a gated route
 * (tickets-node's request edge).
 *
 * @packageDocumentation
 */
export { ApprovalPanel, type ApprovalPanelProps } from './ApprovalPanel';
export {
  isApprovalRequired,
  type ApprovalAsk,
  type ApprovalRequested,
  type ChangeApprovalTicket,
} from './types';
export { ticketsReactTranslationRef } from './translation/translation';
