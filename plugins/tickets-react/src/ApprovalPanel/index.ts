export { ApprovalPanel, type ApprovalPanelProps } from './ApprovalPanel';
