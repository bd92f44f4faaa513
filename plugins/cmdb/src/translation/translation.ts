import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the CMDB plugin; apps may override any message. */
export const cmdbTranslationRef = createTranslationRef({
  id: 'opsdeck-cmdb',
  messages: {
    page: {
      title: 'Hosts',
      subtitle:
        'Every host in the CMDB, with the facts collected from it. Register new hosts with the "Register hosts" template.',
    },
    filters: {
      label: 'Host filters',
      environment: 'Environment',
      owner: 'Owner',
      ownerPlaceholder: 'group:default/ops',
      system: 'System',
      tag: 'Tag',
      reachability: 'Reachability',
      search: 'Name',
      searchPlaceholder: 'Search by name',
      any: 'Any',
      apply: 'Apply',
      reset: 'Reset',
    },
    environments: {
      prod: 'prod',
      staging: 'staging',
      dev: 'dev',
      test: 'test',
    },
    reachability: {
      reachable: 'Reachable',
      unreachable: 'Unreachable',
      unknown: 'Unknown',
    },
    table: {
      caption: 'Hosts, sorted by name',
      name: 'Name',
      address: 'Address',
      environment: 'Environment',
      owner: 'Owner',
      system: 'System',
      tags: 'Tags',
      reachability: 'Reachability',
      os: 'OS',
      uptime: 'Uptime',
      factsAge: 'Facts age',
      empty: 'No hosts match these filters.',
      never: 'never',
      total: '{{total}} hosts',
    },
    export: {
      csv: 'Export CSV',
      failed: 'Could not export the hosts: {{message}}',
    },
    paging: {
      previous: 'Previous',
      next: 'Next',
      page: 'Page {{page}}',
    },
    duration: {
      seconds: '{{value}}s',
      minutes: '{{value}}m',
      hours: '{{value}}h',
      days: '{{value}}d',
      ago: '{{duration}} ago',
    },
    card: {
      title: 'Host facts',
      os: 'OS',
      kernel: 'Kernel',
      cpu: 'CPU',
      cpuValue: '{{cores}} × {{model}}',
      memory: 'Memory',
      disks: 'Disks',
      diskUsage: '{{used}} of {{size}} used ({{percent}}%)',
      ips: 'IP addresses',
      uptime: 'Uptime',
      collectedAt: 'Collected at',
      address: 'Address',
      unknownValue: 'Unknown',
      noFacts: 'No facts have been collected from this host yet.',
      unreachable: 'The host is unreachable: {{error}}',
      lastReachable: 'Last reachable: {{time}}',
      neverReachable: 'It has never been reachable.',
      collectNow: 'Collect now',
      collecting: 'Collecting facts…',
      collected: 'Facts collected.',
      activity: 'Recent activity',
      noActivity: 'No recorded activity for this host.',
      hostKey: 'SSH host key',
      hostKeyNotPinned:
        'Not pinned yet: the first key the host presents is pinned.',
      forgetHostKey: 'Forget host key',
      forgetHostKeyConfirm:
        'Forget the host key pinned for {{hostId}}? The next key the host presents will be trusted. Do this only after the host was reinstalled or re-keyed.',
      forgetHostKeyConfirmButton: 'Forget key',
      cancel: 'Cancel',
      hostKeyForgotten:
        'Host key forgotten. The next connection pins the key the host presents.',
    },
    search: {
      host: 'Host',
    },
    errors: {
      forbidden: 'You do not have permission to list hosts',
      forbiddenHost: 'You do not have permission to read this host',
      forbiddenCollect:
        'You do not have permission to collect facts from this host',
      forbiddenHostKeyReset: 'Only admins can forget a pinned host key',
      forbiddenActivity:
        'You do not have permission to read the audit log for this host',
      unauthorized: 'Sign in to see hosts',
      notFound: 'This host is not in the CMDB',
      invalid: 'The filters are not valid: {{message}}',
      generic: 'Something went wrong: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
