import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { searchReactTranslationRef } from '@backstage/plugin-search-react/alpha';

/** Backstage's search bar, filters and result lists in Simplified Chinese. */
export default createTranslationMessages({
  ref: searchReactTranslationRef,
  full: true,
  messages: {
    'searchBar.title': '搜索',
    'searchBar.placeholder': '在 {{org}} 中搜索',
    'searchBar.clearButtonTitle': '清除',
    'searchFilter.allOptionTitle': '全部',
    'searchPagination.limitLabel': '每页结果：',
    'searchPagination.limitText': '共 {{num}} 个',
    noResultsDescription: '抱歉，没有找到结果',
    'searchResultGroup.linkTitle': '查看全部',
    'searchResultGroup.addFilterButtonTitle': '添加筛选',
    'searchResultPager.next': '下一页',
    'searchResultPager.previous': '上一页',
  },
});
