import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the weekly report; apps may override any message. */
export const reportTranslationRef = createTranslationRef({
  id: 'opsdeck-report',
  messages: {
    page: {
      title: 'Weekly report',
      subtitle:
        'Written every Monday from opsdeck’s own data, for each team and the whole organization.',
    },
    list: {
      scope: 'Team',
      allScopes: 'All teams',
      week: 'Week',
      state: 'State',
      sendAt: 'Sent / to be sent',
      empty:
        'No reports yet. The first one is written on the Monday after opsdeck starts.',
      caption: 'Weekly reports, newest first',
    },
    state: {
      draft: 'Draft',
      sending: 'Sending',
      sent: 'Sent',
    },
    detail: {
      back: 'All reports',
      week: 'Week of {{week}} ({{timezone}})',
      draftNotice:
        'Draft: editors can add highlights until it is sent at {{sendAt}}.',
      sentNotice: 'Sent at {{sentAt}}.',
      deliveries:
        'Mail: {{sent}} sent, {{failed}} failed, {{uncertain}} interrupted (not sent again).',
      notConnected: 'Not connected in this installation',
      figureLink: '{{count}} records',
      sendNow: 'Send now',
      sent: 'The report was sent.',
    },
    highlights: {
      title: 'Highlights',
      none: 'No highlights.',
      edit: 'Edit highlights',
      language: 'Language',
      text: 'What mattered this week',
      save: 'Save',
      cancel: 'Cancel',
      saved: 'Highlights saved.',
      by: 'by {{by}}',
    },
    languages: {
      en: 'English',
      'zh-CN': 'Simplified Chinese',
    },
    sections: {
      changes: 'Changes',
      access: 'Access to prod',
      tickets: 'Tickets',
      docs: 'Docs',
      alerts: 'Alerts',
      builds: 'Failed builds',
    },
    figures: {
      sqlExecuted: 'SQL changes executed',
      sqlFailed: 'SQL changes failed',
      sqlRolledBack: 'SQL changes rolled back',
      jobsRuns: 'Job runs',
      jobsFailed: 'Job runs failed',
      filesDistributions: 'File distributions',
      filesFailed: 'File distributions failed',
      hostsRegistered: 'Hosts registered',
      hostsDecommissioned: 'Hosts decommissioned',
      bastionProdSessions: 'Bastion sessions on prod',
      bastionGrants: 'Access grants created',
      ticketsOpened: 'Tickets opened',
      ticketsClosed: 'Tickets closed',
      docsNew: 'New docs',
      docsUpdated: 'Updated docs',
    },
    records: {
      title: '{{figure}}: {{count}} records',
      time: 'Time',
      what: 'What',
      who: 'Who',
      target: 'Target',
      source: 'Source',
      empty: 'Nothing to count this week.',
      open: 'Open',
    },
    feed: {
      button: 'Feed link',
      title: 'Your personal feed link',
      explain:
        'Add this Atom feed to a feed reader. It is shown only now; anyone with the link can read the sent reports, so keep it private. A new link replaces the old one.',
      create: 'Create a link',
      revoke: 'Revoke my link',
      revoked: 'Your feed link was revoked.',
      exists: 'You have a feed link. Creating a new one revokes it.',
      close: 'Close',
    },
    errors: {
      forbidden: 'You do not have permission to read weekly reports',
      generic: 'Could not load the weekly report: {{message}}',
      weekInvalid:
        '"{{weekStart}}" is not a date: a week is named by its Monday as YYYY-MM-DD.',
      weekNotMonday:
        '{{weekStart}} is not a Monday: a week is named by its Monday.',
      weekNotEnded:
        'The week of {{weekStart}} has not ended yet: its report is written after the week.',
      pageSizeInvalid: 'A page holds 1 to {{max}} rows.',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
