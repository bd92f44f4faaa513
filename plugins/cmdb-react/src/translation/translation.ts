import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the shared host selection field; apps may override any message. */
export const cmdbReactTranslationRef = createTranslationRef({
  id: 'opsdeck-cmdb-react',
  messages: {
    selector: {
      label: 'Host selection',
      names: 'Host names',
      system: 'System',
      owner: 'Owner',
      environment: 'Environment',
      tags: 'Tags (all must match)',
      previewEmpty: 'Choose hosts by name, system, owner, environment or tags',
      previewLoading: 'Counting matching hosts…',
      previewNone: 'No host matches',
      previewCount: '{{count}} hosts match: {{names}}',
      previewMore: '{{names}}, …',
      previewFailed: 'Cannot count matching hosts: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
