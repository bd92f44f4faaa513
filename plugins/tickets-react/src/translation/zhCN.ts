/** Simplified Chinese for the shared change-approval panel (keys of ticketsReactTranslationRef). */
const zhCN = {
  'approval.request': '申请审批',
  'approval.requested':
    '已为 {{approvers}} 创建审批工单 {{id}}。审批通过后，凭该工单执行同一变更。',
  'approval.open': '打开工单 {{id}}',
  'approval.ticket': '已审批的工单号',
  'approval.run': '凭审批工单执行',
};

export default zhCN;
