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
      runAt: 'Run at',
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
      schedule: 'Schedule',
      unschedule: 'Cancel schedule',
      exportCsv: 'Export CSV',
    },
    changes: {
      empty: 'No changes yet.',
      status: 'Status',
      submitter: 'Submitter',
      ownChange: 'You submitted this change: another approver decides on it.',
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
      scheduledFor: 'Scheduled to run at {{at}} (by {{user}})',
    },
    review: {
      noFindings: 'No findings: the SQL passes every rule.',
      statement: 'Statement {{n}}',
      script: 'Whole script',
      estimated: 'about {{rows}} rows',
      notAllowed:
        'Reviewing asks the live database; your role may read changes and findings but not review.',
    },
    confirm: {
      title: '{{action}} on a production instance',
      body: 'This runs on production. Type the instance name {{name}} to go ahead.',
      label: 'Instance name',
      cancel: 'Cancel',
      go: '{{action}}',
    },
    family: {
      'server-files':
        'Read, list or write files on the database server (and large objects).',
      'server-programs':
        'Connect to other servers or administer the server (reload, logs, WAL, backups, replication, statistics resets).',
      sessions: 'End or interrupt other sessions.',
      sleep:
        'Hold a connection doing nothing, burn CPU or wait for replication.',
      locks: 'Take or release locks other sessions wait on.',
      'dynamic-sql': 'Run SQL given as a string, which the review never sees.',
      settings:
        'Change session settings (for example standard_conforming_strings).',
    },
    clause: {
      'pg-not-select': 'Changes go through reviewed changes.',
      'pg-copy': 'Reads or writes server files, runs programs or streams data.',
      'pg-select-into': 'Creates a table.',
      'pg-locking': 'Locks rows other sessions wait on.',
      'pg-writing-cte': 'Writes data.',
      'my-not-select': 'Changes go through reviewed changes.',
      'my-into': 'Writes server files or session state.',
      'my-load-data': 'Reads server or client files.',
      'my-locking': 'Locks rows other sessions wait on.',
      'my-sessions':
        'Ends sessions, runs expressions or SQL the review never sees.',
      'my-executable-comments':
        'Read as the server reads them: what they hide is checked like the rest.',
    },
    status: {
      pending: 'Waiting for approval',
      rejected: 'Rejected',
      approved: 'Approved',
      scheduled: 'Scheduled',
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
      hint: 'Read-only: one SELECT, a read-only Redis command, or for MongoDB a find or aggregate as JSON ({"find": "users", "filter": {…}} or {"aggregate": "users", "pipeline": […]}). Results are limited and masked; every query is logged.',
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
      asOf: 'As of {{time}} (refreshed on a schedule)',
      never:
        'Not read yet: the next scheduled refresh, or Refresh now, reads it.',
      refreshNow: 'Refresh now',
      refreshFailed: 'The last refresh at {{time}} failed: {{error}}',
      snapshot: 'Snapshot',
      latest: 'Latest',
      compareTo: 'Change since',
      cumulative: 'Cumulative (no comparison)',
      intervalHelp:
        "Calls, total ms and rows between {{from}} and {{to}} (the difference of the two snapshots), mean = total / calls, sorted by total. A statement new in the later snapshot counts in full, and so does one whose counters went down (statistics reset in between: the later values are taken as the interval). Statements without calls in between are left out; a statement that was outside the earlier snapshot's top statements counts in full.",
      intervalUnavailable:
        'Change since an earlier snapshot is available for PostgreSQL only: its pg_stat_statements counters are cumulative, while the MariaDB slow log and Redis SLOWLOG snapshots group the slow events present at refresh time, which cannot be subtracted.',
      basisNew: 'new',
      basisReset: 'counters reset',
    },
    rules: {
      id: 'Rule',
      level: 'Default level',
      description: 'What and why',
      instance: 'uses the instance',
      options: 'Options',
      intro:
        'Errors block a change; warnings need a reason. Instances override levels and options with the annotation opsdeck.io/sql-review, e.g. "select-star=error, dml-max-rows.maxRows=500".',
      consoleTitle: 'Query console deny-list',
      consoleIntro:
        "The console runs one plain query with the instance's read-only login. On top of that it refuses these functions and clauses wherever they appear in the parse tree (also inside MySQL executable comments), naming the rule.",
      engine: 'Engine',
      denied: 'Refused',
    },
    errors: {
      generic: 'Something went wrong: {{message}}',
      refused: 'Refused by rule {{rule}}: {{detail}}',
    },
    check: {
      ok: 'Reachable: {{version}}',
      failed: 'Unreachable: {{error}}',
    },
    entityCard: {
      title: 'Database connection',
      checking: 'Connecting…',
      reachable: 'Reachable',
      unreachable: 'Unreachable',
      version: 'Server version',
      engine: 'Engine',
      recheck: 'Check again',
      openConsole: 'Open the query console',
      readLogin: 'Read login (console, review, slow queries)',
      readOnly: 'read-only',
      notReadOnly: 'NOT read-only: {{problems}}',
      exception:
        'Exception: the console and review may use this privileged read login (set by {{user}} at {{at}}: {{reason}})',
      endException: 'End the exception',
      exceptionReason: 'Reason',
      makeException: 'Make an exception',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
