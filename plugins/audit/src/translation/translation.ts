import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the Audit page; apps may override any message. */
export const auditTranslationRef = createTranslationRef({
  id: 'opsdeck-audit',
  messages: {
    page: {
      title: 'Audit log',
      subtitle:
        'Every change made through opsdeck: who did what, to what, and whether it worked.',
    },
    filters: {
      user: 'User',
      userPlaceholder: 'user:default/alice',
      action: 'Action',
      plugin: 'Plugin',
      any: 'Any',
      target: 'Target',
      targetHelp: 'End with * to match a prefix',
      from: 'From',
      to: 'To',
      apply: 'Apply',
      reset: 'Reset',
    },
    table: {
      time: 'Time',
      user: 'User',
      action: 'Action',
      plugin: 'Plugin',
      target: 'Target',
      status: 'Status',
      empty: 'No audit events match these filters.',
      caption: 'Audit events, newest first',
    },
    status: {
      succeeded: 'Succeeded',
      failed: 'Failed',
      initiated: 'Started',
    },
    paging: {
      previous: 'Previous',
      next: 'Next',
      page: 'Page {{page}}',
    },
    errors: {
      forbidden: 'You do not have permission to read the audit log',
      unauthorized: 'Sign in to read the audit log',
      invalid: 'The filters are not valid: {{message}}',
      generic: 'Could not load the audit log: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
