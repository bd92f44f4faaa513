import { createTranslationRef } from '@backstage/frontend-plugin-api';

/**
 * UI text of the shared change-approval panel; apps may override any
 * message. Why a change needs an approval is the feature's own text (the
 * panel's `reason`).
 */
export const ticketsReactTranslationRef = createTranslationRef({
  id: 'opsdeck-tickets-react',
  messages: {
    approval: {
      request: 'Request approval',
      requested:
        'Approval ticket {{id}} opened for {{approvers}}. Once it is approved, run the same change with it.',
      open: 'Open ticket {{id}}',
      ticket: 'Approved ticket #',
      run: 'Run with approved ticket',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
