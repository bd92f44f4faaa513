import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { apiDocsTranslationRef } from '@backstage/plugin-api-docs/alpha';

/** Simplified Chinese for the API cards and explorer. */
export default createTranslationMessages({
  ref: apiDocsTranslationRef,
  full: true,
  messages: {
    'apiDefinitionCard.error.title': '无法获取 API',
    'apiDefinitionCard.rawButtonTitle': '原文',
    'apiDefinitionDialog.closeButtonTitle': '关闭',
    'apiDefinitionDialog.tabsAriaLabel': 'API 定义选项',
    'apiDefinitionDialog.toggleButtonAriaLabel': '打开或关闭 API 定义对话框',
    'apiDefinitionDialog.rawButtonTitle': '原文',
    'defaultApiExplorerPage.title': 'API',
    'defaultApiExplorerPage.subtitle': '{{orgName}} API 浏览',
    'defaultApiExplorerPage.pageTitleOverride': 'API',
    'defaultApiExplorerPage.createButtonTitle': '注册已有 API',
    'defaultApiExplorerPage.supportButtonTitle': '全部 API',
    'consumedApisCard.title': '使用的 API',
    'consumedApisCard.error.title': '无法加载 API',
    'consumedApisCard.emptyContent.title': '此{{entity}}不使用任何 API。',
    'hasApisCard.title': 'API',
    'hasApisCard.error.title': '无法加载 API',
    'hasApisCard.emptyContent.title': '此{{entity}}不包含任何 API。',
    'providedApisCard.title': '提供的 API',
    'providedApisCard.error.title': '无法加载 API',
    'providedApisCard.emptyContent.title': '此{{entity}}不提供任何 API。',
    'apiEntityColumns.typeTitle': '类型',
    'apiEntityColumns.apiDefinitionTitle': 'API 定义',
    'consumingComponentsCard.title': '使用方',
    'consumingComponentsCard.error.title': '无法加载组件',
    'consumingComponentsCard.emptyContent.title': '没有组件使用此 API。',
    'providingComponentsCard.title': '提供方',
    'providingComponentsCard.error.title': '无法加载组件',
    'providingComponentsCard.emptyContent.title': '没有组件提供此 API。',
    apisCardHelpLinkTitle: '了解如何修改。',
  },
});
