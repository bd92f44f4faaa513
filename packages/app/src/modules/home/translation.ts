import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the workbench (the home page and its cards). */
export const workbenchTranslationRef = createTranslationRef({
  id: 'opsdeck-workbench',
  messages: {
    page: {
      title: 'Workbench',
      subtitle: 'What waits for you, your access and the state of the estate',
    },
    common: {
      loading: 'Loading…',
      more: 'Show all',
      error: 'Could not load: {{message}}',
    },
    approvals: {
      title: 'Waiting for my approval',
      tickets: 'Tickets',
      sql: 'SQL changes',
      none: 'Nothing waits for you.',
      by: 'by {{who}}',
    },
    access: {
      title: 'My access',
      none: 'You hold no access grant. Request one with the "Request server access" template.',
      request: 'Request access',
      until: '{{login}} until {{time}}',
      terminal: 'Terminal',
      noHost: 'No host matches this grant.',
      selector: {
        host: 'host {{value}}',
        system: 'system {{value}}',
        owner: 'owner {{value}}',
        tag: 'tag {{value}}',
      },
    },
    jobs: {
      title: 'Recent runs and failed schedules',
      recent: 'Recent runs',
      failed: 'Failed scheduled runs',
      paused: 'Paused schedules',
      none: 'No runs yet.',
      noneFailed: 'No scheduled run failed.',
      hosts: '{{count}} hosts',
      status: {
        running: 'running',
        succeeded: 'succeeded',
        failed: 'failed',
        cancelled: 'cancelled',
        interrupted: 'interrupted',
      },
    },
    tickets: {
      title: 'My open tickets',
      none: 'You have no open ticket.',
      state: {
        submitted: 'submitted',
        awaiting_approval: 'awaiting approval',
        approved: 'approved',
        rejected: 'rejected',
        fulfilling: 'fulfilling',
        done: 'done',
        failed: 'failed',
      },
    },
    unreachable: {
      title: 'Unreachable hosts',
      none: 'Every host answered its last collection.',
      count: '{{count}} unreachable',
    },
    prod: {
      title: 'Recent changes on prod',
      none: 'No change on prod hosts or databases lately.',
      outcome: {
        success: 'done',
        denied: 'refused',
        failed: 'failed',
      },
    },
    alerts: {
      title: 'Firing alerts',
      none: 'No alert is firing on what you can see.',
      count: '{{count}} firing',
      since: 'since {{time}}',
      acknowledged: 'acknowledged by {{by}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
