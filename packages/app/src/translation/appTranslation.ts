import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the opsdeck app shell (sidebar, home page). */
export const appTranslationRef = createTranslationRef({
  id: 'opsdeck-app',
  messages: {
    sidebar: {
      search: 'Search',
      menu: 'Menu',
      settings: 'Settings',
      home: 'Home',
      notifications: 'Notifications',
      catalog: 'Catalog',
      apis: 'APIs',
      docs: 'Docs',
      catalogGraph: 'Catalog Graph',
      catalogImport: 'Register Existing Component',
      visualizer: 'Visualizer',
    },
    titles: {
      create: 'Create',
      templates: 'Templates',
      tasks: 'Tasks',
      actions: 'Actions',
      templateEditor: 'Template Editor',
      templatingExtensions: 'Templating Extensions',
    },
    table: {
      pageSize: 'Show {{count}} rows',
      range: '{{from}} - {{to}} of {{total}}',
    },
    lists: {
      title: '{{filter}} {{kinds}}',
      titleWithType: '{{filter}} {{type}} {{kinds}}',
      kinds: {
        component: 'Components',
        api: 'APIs',
        resource: 'Resources',
        system: 'Systems',
        domain: 'Domains',
        group: 'Groups',
        user: 'Users',
        template: 'Templates',
        location: 'Locations',
      },
    },
    members: {
      title: '{{title}} ({{shown}} of {{total}})',
      search: 'Search members',
      searchPlaceholder: 'Search members...',
    },
    search: {
      resultType: 'Result Type',
      softwareCatalog: 'Software Catalog',
      entity: 'Entity',
      kind: 'Kind',
      lifecycle: 'Lifecycle',
      experimental: 'experimental',
      production: 'production',
    },
    errors: {
      notFoundStatus: 'ERROR 404: PAGE NOT FOUND',
      notFoundTitle: 'There is no page at this address',
      goBack: 'Go back',
      orContact: '… or ',
      contactSupport: 'contact support',
      ifBug: ' if you think this is a bug.',
      pluginFailed: 'Error in {{plugin}}',
      retry: 'Retry',
    },
    home: {
      welcomeTitle: 'Welcome to opsdeck',
      welcomeBody:
        'opsdeck runs your estate from one place: hosts and databases in the catalog, a web bastion, jobs, file distribution, SQL review and an audit log of every change.',
      catalogLink: 'Browse hosts and services in the catalog',
      auditLink: 'Read the audit log',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
