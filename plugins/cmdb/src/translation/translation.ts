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
    collect: {
      all: 'Collect all',
      selected: 'Collect selected ({{count}})',
      running: 'Collecting facts…',
      done: 'Collected {{hosts}} hosts: {{reachable}} reachable, {{unreachable}} unreachable',
      failed: 'Could not collect facts: {{message}}',
      forbidden: 'You do not have permission to collect facts',
      hostReachable: '{{name}}: reachable',
      hostUnreachable: '{{name}}: {{error}}',
      selectHost: 'Select {{name}}',
      selectPage: 'Select every host on this page',
    },
    groups: {
      by: 'Group by',
      options: {
        none: 'None',
        system: 'System',
        environment: 'Environment',
        tag: 'Tag',
        owner: 'Owner',
      },
      none: {
        none: 'Hosts',
        system: 'No system',
        environment: 'No environment',
        tag: 'No tag',
        owner: 'No owner',
      },
      counts:
        '{{hosts}} hosts · {{reachable}} reachable · {{unreachable}} unreachable',
      select: 'Select every host of {{group}}',
      collapse: 'Collapse {{group}}',
      expand: 'Expand {{group}}',
    },
    bulk: {
      runCommand: 'Run a command ({{count}})',
      openTerminals: 'Open terminals ({{count}})',
      tooManyTerminals: 'At most {{max}} terminals at once',
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
      interrupted:
        'The export broke off before the whole CSV arrived; export again',
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
      activitySucceeded: 'succeeded',
      activityFailed: 'failed',
      activityInitiated: 'started',
      hostKey: 'SSH host key',
      hostKeyNotPinned:
        'Not pinned yet: a key login pins the first key the host presents; a password login waits for an admin to accept it.',
      hostKeyPending:
        'The host offered {{fingerprint}} at first contact ({{time}}). Nothing was sent to it: opsdeck sends a password only to a host whose key an admin accepted. Compare it with the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before you accept it.',
      acceptHostKey: 'Accept key',
      rejectHostKey: 'Reject key',
      hostKeyAccepted: 'Host key accepted and pinned.',
      hostKeyRejected: 'Offered key rejected. The next contact offers again.',
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
      forbiddenHostKeyAccept: 'Only admins can accept or reject a host key',
      codes: {
        hostKeyChanged:
          'The host now offers another key ({{offered}}): check the new key before accepting it',
        hostKeyNonePending:
          'No key of {{hostId}} waits for acceptance (someone accepted or rejected it already)',
        hostFromCatalog:
          'This host is defined in the catalog ({{entityRef}}); remove it at its source',
      },
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
