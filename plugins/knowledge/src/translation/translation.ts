import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of opsdeck's knowledge base; apps may override any message. */
export const knowledgeTranslationRef = createTranslationRef({
  id: 'opsdeck-knowledge',
  messages: {
    runbooks: {
      title: 'Runbooks',
      subheader: 'What to do when this breaks',
      from: 'From the docs of {{entity}}',
      allDocs: 'All docs',
      none: 'No runbooks yet: add pages under docs/runbooks/ of {{entity}}.',
      noneAnywhere:
        'No runbooks yet. Runbooks are TechDocs pages under docs/runbooks/.',
      building: 'The docs of {{entity}} are being built…',
      notBuilt: 'The docs of {{entity}} could not be built: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
