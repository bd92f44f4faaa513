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
      catalog: 'Catalog',
      docs: 'Docs',
      search: 'Search',
      notifications: 'Notifications',
      overview: 'Overview',
    },
    search: {
      resultType: 'Result Type',
      softwareCatalog: 'Software Catalog',
      documentation: 'Documentation',
      entity: 'Entity',
      kind: 'Kind',
      lifecycle: 'Lifecycle',
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
