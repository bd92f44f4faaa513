/** Simplified Chinese for the knowledge base (keys of knowledgeTranslationRef). */
const zhCN = {
  'runbooks.title': '运维手册',
  'runbooks.subheader': '出故障时该怎么做',
  'runbooks.from': '来自 {{entity}} 的文档',
  'runbooks.allDocs': '全部文档',
  'runbooks.none':
    '还没有运维手册：请在 {{entity}} 的 docs/runbooks/ 下添加页面。',
  'runbooks.noneAnywhere':
    '还没有运维手册。运维手册是 docs/runbooks/ 下的 TechDocs 页面。',
  'runbooks.building': '正在生成 {{entity}} 的文档……',
  'runbooks.notBuilt': '无法生成 {{entity}} 的文档：{{message}}',
};

export default zhCN;
