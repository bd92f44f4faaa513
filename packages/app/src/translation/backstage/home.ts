import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { homeTranslationRef } from '@backstage/plugin-home/alpha';

/** Simplified Chinese for Backstage's home page (widgets, visits, starred). */
export default createTranslationMessages({
  ref: homeTranslationRef,
  full: true,
  messages: {
    'addWidgetDialog.title': '向仪表盘添加卡片',
    'addWidgetDialog.noAvailableWidgets': '所有可用卡片都已添加到仪表盘。',
    'customHomepageButtons.edit': '编辑',
    'customHomepageButtons.restoreDefaults': '恢复默认',
    'customHomepageButtons.clearAll': '全部清除',
    'customHomepageButtons.addWidget': '添加卡片',
    'customHomepageButtons.save': '保存',
    'customHomepageButtons.cancel': '取消',
    'customHomepage.noWidgets': '还没有卡片。点击“添加卡片”开始。',
    'widgetSettingsOverlay.editSettingsTooltip': '编辑设置',
    'widgetSettingsOverlay.editSettingsTooptip': '编辑设置',
    'widgetSettingsOverlay.deleteWidgetTooltip': '删除卡片',
    'widgetSettingsOverlay.submitButtonTitle': '提交',
    'widgetSettingsOverlay.cancelButtonTitle': '取消',
    'starredEntityListItem.removeFavoriteEntityTitle': '从收藏中移除',
    'visitList.empty.title': '还没有访问记录。',
    'visitList.empty.description':
      '开始使用后，你访问过的页面会显示在这里，方便接着上次的地方继续。',
    'visitList.few.title': '访问的页面越多，这里显示的就越多。',
    'visitList.disabled.title': '未启用访问记录。',
    'visitList.disabled.description':
      '在 app-config.yaml 中启用访问记录，即可在这里看到常用和最近访问的页面。',
    'quickStart.title': '入门',
    'quickStart.description': '开始使用 opsdeck',
    'quickStart.learnMoreLinkTitle': '了解更多',
    'starredEntities.noStarredEntitiesMessage':
      '点击实体名称旁的星标，即可加入此列表！',
    'visitedByType.action.viewMore': '查看更多',
    'visitedByType.action.viewLess': '收起',
    'featuredDocsCard.learnMoreTitle': '了解更多',
    'featuredDocsCard.empty.title': '没有可显示的文档',
    'featuredDocsCard.empty.description': '创建你自己的文档，参阅入门指南。',
    'featuredDocsCard.empty.learnMoreLinkTitle': '文档',
  },
});
