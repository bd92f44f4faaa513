import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of opsdeck's shared frontend pieces (the "not allowed" notice). */
export const opsdeckReactTranslationRef = createTranslationRef({
  id: 'opsdeck-react',
  messages: {
    notAllowed: {
      title: 'Not allowed',
      body: 'You do not have the permission {{permission}}. Ask an administrator to give one of your groups a role that has it.',
      disabledReason: 'Needs the permission {{permission}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
