/** Simplified Chinese for opsdeck's shared frontend pieces (keys of opsdeckReactTranslationRef). */
const zhCN = {
  'notAllowed.title': '无权访问',
  'notAllowed.body':
    '你没有权限 {{permission}}。请管理员为你所在的用户组分配具有该权限的角色。',
  'notAllowed.disabledReason': '需要权限 {{permission}}',
};

export default zhCN;
