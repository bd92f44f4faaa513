import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the Credentials page; apps may override any message. */
export const vaultTranslationRef = createTranslationRef({
  id: 'opsdeck-vault',
  messages: {
    page: {
      title: 'Credentials',
      subtitle:
        'SSH keys and passwords that opsdeck uses to reach your servers. Secrets are encrypted at rest and never shown again after they are saved.',
    },
    table: {
      caption: 'Credentials',
      name: 'Name',
      type: 'Type',
      username: 'Username',
      fingerprint: 'Fingerprint',
      owner: 'Owner',
      updated: 'Updated',
      actions: 'Actions',
      empty: 'No credentials yet.',
    },
    type: {
      'ssh-key': 'SSH key',
      password: 'Password',
    },
    actions: {
      add: 'Add credential',
      replace: 'Replace secret',
      delete: 'Delete',
      cancel: 'Cancel',
      save: 'Save',
    },
    form: {
      addTitle: 'Add credential',
      replaceTitle: 'Replace the secret of {{name}}',
      name: 'Name',
      nameHelp: 'Lowercase letters, digits, "-", "_" and "."; at most 63',
      type: 'Type',
      username: 'Username',
      usernameHelp: 'Default login user (optional)',
      description: 'Description',
      owner: 'Owner',
      ownerHelp: 'Group, e.g. group:default/ops (optional)',
      privateKey: 'Private key',
      privateKeyHelp:
        'Paste an unencrypted private key (OpenSSH or PEM). It is encrypted before it is stored.',
      password: 'Password',
    },
    delete: {
      title: 'Delete {{name}}?',
      body: 'The credential and its secret are removed for good. Anything that uses it will stop working.',
    },
    errors: {
      forbiddenManage: 'Only admins can manage credentials',
      forbiddenRead: 'You do not have permission to see the credentials',
      unauthorized: 'Sign in to see the credentials',
      generic: 'Something went wrong: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
