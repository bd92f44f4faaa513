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
      policy: 'Policy',
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
      policy: 'Policy',
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
      owner: 'Owner group',
      ownerHelp:
        'The group whose hosts and databases it serves; a job secret only for its members',
      uses: 'Allowed uses',
      usesHelp:
        'What the secret may be taken out for; every other use is refused and audited',
      usesHelpKey: 'An SSH key can only log in to hosts',
      systems: 'Systems',
      systemsHelp: 'Only for targets in these systems; empty: any system',
      environments: 'Environments',
      environmentsHelp:
        'Only for targets in these environments; empty: any environment',
      privateKey: 'Private key',
      privateKeyHelp:
        'Paste an unencrypted private key (OpenSSH or PEM). It is encrypted before it is stored.',
      password: 'Password',
    },
    use: {
      'ssh-login': 'SSH login',
      'db-admin': 'Database admin',
      'db-change': 'Database changes',
      'db-read': 'Database reads',
      'job-secret': 'Job secret',
      'alert-channel': 'Alert channel signing',
      registry: 'Image registry login',
      'ci-poll': 'CI build polling',
      'ci-intake': 'CI build intake signing',
      'kubernetes-token': 'Kubernetes service-account token',
      'kubernetes-poll': 'Kubernetes pod polling (running images)',
      'config-secret': 'Config file secret (written at push)',
    },
    policy: {
      title: 'Policy of {{name}}',
      body: 'The vault checks this policy every time the secret is taken out: the host, database or job must belong to the owner group (and the systems and environments listed), and the use must be allowed.',
      servesNothing: 'Serves nothing until an admin sets an owner and uses',
      unsetWarning:
        '{{n}} credential(s) serve nothing: they have no owner group or no allowed use (credentials from before policies get only what is safe). Set their policy.',
      anySystem: 'any system',
      anyEnvironment: 'any environment',
      systems: 'systems {{list}}',
      environments: 'environments {{list}}',
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
