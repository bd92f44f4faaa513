import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the Accounts page; apps may override any message. */
export const accountsTranslationRef = createTranslationRef({
  id: 'opsdeck-accounts',
  messages: {
    page: {
      title: 'Accounts',
      subtitle:
        'Local sign-in accounts: lock state and live sessions. Resetting a password or signing out everywhere ends every session of the account; its open tabs sign out within half a minute.',
    },
    table: {
      caption: 'Accounts',
      name: 'Account',
      state: 'State',
      sessions: 'Sessions',
      lastLogin: 'Last sign-in',
      actions: 'Actions',
      empty: 'No local accounts.',
      never: 'never',
    },
    state: {
      active: 'Active',
      locked: 'Locked until {{time}}',
      lockedFrom: 'Locked for {{address}} until {{time}}',
      failures: '{{count}} failed sign-ins',
    },
    sessions: {
      title: 'Sessions of {{name}}',
      created: 'Signed in',
      lastSeen: 'Last seen',
      address: 'Address',
      userAgent: 'Browser',
      expires: 'Expires',
      none: 'No live sessions.',
    },
    actions: {
      sessions: 'Sessions',
      resetPassword: 'Reset password',
      unlock: 'Unlock',
      signOutEverywhere: 'Sign out everywhere',
      cancel: 'Cancel',
      save: 'Save',
      close: 'Close',
      confirm: 'Sign out',
    },
    reset: {
      title: 'New password for {{name}}',
      password: 'New password',
      help: 'At least 10 characters. Every session of the account ends.',
    },
    confirm: {
      title: 'Sign {{name}} out everywhere?',
      body: 'Every session of this account ends now; its open tabs sign out within half a minute.',
    },
    done: {
      signedOut: '{{name}}: {{count}} sessions ended.',
      reset: 'Password of {{name}} set; {{count}} sessions ended.',
      unlocked: '{{name}} is unlocked.',
    },
    errors: {
      forbidden: 'You do not have permission to see the accounts',
      unauthorized: 'Sign in to see the accounts',
      generic: 'Something went wrong: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
