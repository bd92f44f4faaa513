/** Simplified Chinese for the opsdeck app shell (keys of appTranslationRef). */
const zhCN = {
  'sidebar.search': '搜索',
  'sidebar.menu': '菜单',
  'sidebar.settings': '设置',
  'sidebar.home': '首页',
  'sidebar.notifications': '通知',
  'sidebar.catalogGraph': '目录关系图',
  'sidebar.catalogImport': '注册已有组件',
  'sidebar.visualizer': '应用结构',
  'titles.create': '创建',
  'titles.templates': '模板',
  'titles.tasks': '任务',
  'titles.actions': '动作',
  'titles.templateEditor': '模板编辑器',
  'titles.templatingExtensions': '模板扩展',
  'home.welcomeTitle': '欢迎使用 opsdeck',
  'home.welcomeBody':
    'opsdeck 在一个地方管理你的全部资产：目录中的主机与数据库、Web 堡垒机、作业、文件分发、SQL 审核，以及每一次变更的审计日志。',
  'home.catalogLink': '在目录中浏览主机与服务',
  'home.auditLink': '查看审计日志',
};

export default zhCN;
