import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the SQL plugin; apps may override any message. */
export const sqlTranslationRef = createTranslationRef({
  id: 'opsdeck-sql',
  messages: {
    page: {
      title: 'Databases',
      subtitle:
        'Reviewed and approved SQL changes with backup and rollback, a read-only query console with masking, slow queries.',
    },
    tabs: {
      changes: 'Changes',
      submit: 'Submit change',
      console: 'Query console',
      slow: 'Slow queries',
      rules: 'Review rules',
    },
    fields: {
      instance: 'Instance',
      database: 'Database',
      title: 'Title',
      sql: 'SQL',
      reason: 'Reason for warnings',
      comment: 'Comment',
    },
    actions: {
      review: 'Review',
      submit: 'Submit',
      approve: 'Approve',
      reject: 'Reject',
      execute: 'Execute',
      rollback: 'Roll back',
      run: 'Run query',
      refresh: 'Refresh',
      check: 'Check connection',
      back: 'Back to changes',
    },
    changes: {
      empty: 'No changes yet.',
      status: 'Status',
      submitter: 'Submitter',
      created: 'Created',
      findings: 'Findings',
      counts: '{{errors}} errors, {{warnings}} warnings',
      approvals: 'Approvals',
      approvalLine: 'Level {{level}} ({{group}}): {{decision}} by {{user}}',
      waiting: 'Waiting for level {{level}}: {{group}}',
      statements: 'Statements',
      affected: '{{rows}} rows, {{ms}} ms',
      rollbackSql: 'Rollback SQL',
      restored: '{{rows}} rows restored',
      submitted: 'Change submitted for approval',
    },
    review: {
      noFindings: 'No findings: the SQL passes every rule.',
      statement: 'Statement {{n}}',
      script: 'Whole script',
      estimated: 'about {{rows}} rows',
    },
    status: {
      pending: 'Waiting for approval',
      rejected: 'Rejected',
      approved: 'Approved',
      executing: 'Executing',
      finished: 'Finished',
      failed: 'Failed',
      rolled_back: 'Rolled back',
      rollback_failed: 'Rollback failed',
    },
    level: {
      error: 'error',
      warning: 'warning',
      off: 'off',
    },
    console: {
      hint: 'Read-only: one SELECT (or a read-only Redis command). Results are limited and masked; every query is logged.',
      rows: '{{rows}} rows in {{ms}} ms',
      truncated: 'more rows exist; the result is cut at the row limit',
      masked: 'Masked columns: {{columns}}',
    },
    slow: {
      statement: 'Statement',
      calls: 'Calls',
      total: 'Total ms',
      mean: 'Mean ms',
      rows: 'Rows',
      empty: 'No statements recorded.',
    },
    rules: {
      id: 'Rule',
      level: 'Default level',
      description: 'What and why',
      instance: 'uses the instance',
      options: 'Options',
      intro:
        'Errors block a change; warnings need a reason. Instances override levels and options with the annotation opsdeck.io/sql-review, e.g. "select-star=error, dml-max-rows.maxRows=500".',
    },
    errors: {
      generic: 'Something went wrong: {{message}}',
    },
    check: {
      ok: 'Reachable: {{version}}',
      failed: 'Unreachable: {{error}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
