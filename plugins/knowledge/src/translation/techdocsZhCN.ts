import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { techdocsTranslationRef } from '@backstage/plugin-techdocs/alpha';

/** Backstage's TechDocs screens in Simplified Chinese. */
export default createTranslationMessages({
  ref: techdocsTranslationRef,
  full: true,
  messages: {
    'search.placeholder': '搜索 {{entityTitle}} 的文档',
    'search.noResults': '没有找到结果',
    'error.couldNotLoad': '无法加载文档。',
    'nav.title': '文档',
    'table.columns.type': '类型',
    'table.columns.document': '文档',
    'table.columns.kind': '种类',
    'table.columns.owner': '负责人',
    'table.body.emptyDataSourceMessage': '没有记录',
    'table.header.actions': '操作',
    'table.title.all': '全部',
    'table.toolbar.searchPlaceholder': '筛选',
    'table.actions.addToFavorites': '加入收藏',
    'table.actions.removeFromFavorites': '取消收藏',
    'table.actions.copyDocsUrl': '点击复制文档链接',
    'table.pagination.labelRowsSelect': '行',
    'table.emptyState.title': '没有文档',
    'table.emptyState.description':
      '在组件仓库的 docs/ 下写 Markdown，并在 catalog-info.yaml 中加上 backstage.io/techdocs-ref。',
    'table.emptyState.docsButton': '文档',
    'home.supportButton': '浏览本组织的文档。',
    'aboutCard.viewTechdocs': '查看文档',
    'buildLogs.title': '生成详情',
    'buildLogs.closeDrawer': '关闭',
    'buildLogs.showBuildLogs': '查看生成日志',
    'buildLogs.waitingForLogs': '等待日志……',
    'stateIndicator.initialBuild.message':
      '文档第一次被访问，正在生成。之后打开会快很多。',
    'stateIndicator.contentStaleRefreshing.message':
      '正在生成这份文档的新版本，稍后即可查看。',
    'stateIndicator.contentStaleReady.message':
      '这份文档有新版本了，请刷新查看。',
    'stateIndicator.contentStaleReady.refreshButton': '刷新',
    'stateIndicator.contentStaleError.message': '生成新版本文档失败。',
    'redirectNotification.redirectNow': '立即跳转',
    'readerPageHeader.source': '源码',
    'readerPageHeader.owner': '负责人',
    'readerPageHeader.lifecycle': '生命周期',
    'pageWrapper.title': '文档',
    'pageWrapper.subtitle': '{{orgName}} 的文档',
    'entityContent.title': '文档',
    'reader.settings': '设置',
  },
});
