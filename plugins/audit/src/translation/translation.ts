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
      targetHelp: 'Pick from the catalog, or end with * to match a prefix',
      outcome: 'Outcome',
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
      via: 'via {{via}}',
      open: 'Audit event {{id}}: open its details',
    },
    outcome: {
      success: 'Succeeded',
      denied: 'Denied',
      failed: 'Failed',
    },
    details: {
      title: 'Audit event',
      close: 'Close',
      time: 'Time',
      outcome: 'Outcome',
      actor: 'Who',
      via: 'Via',
      action: 'Action',
      plugin: 'Plugin',
      target: 'Target',
      severity: 'Severity',
      error: 'Error',
      ip: 'IP address',
      requestId: 'Request ID',
      id: 'Event ID',
      meta: 'Details (secrets are never recorded)',
    },
    export: {
      csv: 'Export CSV',
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
      timeInvalid:
        '{{field}} is not a time: "{{value}}". Pick a date and time, or give ISO 8601 with an offset such as 2026-03-01T10:00:00Z.',
      timeRangeReversed:
        'From ({{from}}) must be before To ({{to}}): swap them or change one.',
      pageSizeInvalid: 'A page holds 1 to {{max}} events.',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
