/** Simplified Chinese texts of the opsdeck sign-in page. */
const messages = {
  title: '登录 opsdeck',
  subtitle: '运维平台',
  usernameLabel: '用户名',
  passwordLabel: '密码',
  signInButton: '登录',
  checkingSession: '正在检查现有会话…',
  'errors.missingFields': '请输入用户名和密码。',
  'errors.invalidCredentials':
    '用户名或密码错误，或登录失败次数过多：请稍后重试。',
  'errors.throttled': '您所在地址的登录失败次数过多，请几分钟后再试。',
  'errors.sessionEnded': '您的会话已结束，请重新登录。',
  'errors.signInFailed': '无法完成登录：{{message}}',
  'errors.unexpected': '登录失败：{{message}}',
  'demo.title': '演示账号',
  'demo.password': '所有演示账号的密码：{{password}}',
  'demo.roles.admin': '管理员',
  'demo.roles.ops': '运维',
  'demo.roles.dba': '数据库管理员',
  'demo.roles.dev': '开发',
  'demo.roles.devQa': '开发（测试，验收构建）',
  'demo.roles.viewerSecurity': '只读（安全）',
  'demo.roles.noRole': '无角色（仅目录）',
};

export default messages;
