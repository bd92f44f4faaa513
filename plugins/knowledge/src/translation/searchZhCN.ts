import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { searchTranslationRef } from '@backstage/plugin-search/alpha';

/** Backstage's search page and modal in Simplified Chinese. */
export default createTranslationMessages({
  ref: searchTranslationRef,
  full: true,
  messages: {
    'searchModal.viewFullResults': '查看全部结果',
    'searchType.tabs.allTitle': '全部',
    'searchType.allResults': '全部结果',
    'searchType.accordion.collapse': '收起',
    'searchType.accordion.numberOfResults': '{{number}} 个结果',
    'searchType.accordion.allTitle': '全部',
    'sidebarSearchModal.title': '搜索',
  },
});
