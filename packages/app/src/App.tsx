import { createApp } from '@backstage/frontend-defaults';
import auditPlugin from '@opsdeck/plugin-audit';
import vaultPlugin from '@opsdeck/plugin-vault';
import localAuthPlugin from '@opsdeck/plugin-local-auth';
import cmdbPlugin from '@opsdeck/plugin-cmdb';
import filesPlugin from '@opsdeck/plugin-files';
import bastionPlugin from '@opsdeck/plugin-bastion';
import sqlPlugin from '@opsdeck/plugin-sql';
import ticketsPlugin from '@opsdeck/plugin-tickets';
import jobsPlugin from '@opsdeck/plugin-jobs';
import reportPlugin from '@opsdeck/plugin-report';
import registryPlugin from '@opsdeck/plugin-registry';
import cicdPlugin from '@opsdeck/plugin-cicd';
import configPlugin from '@opsdeck/plugin-config';
import monitoringPlugin from '@opsdeck/plugin-monitoring';
import kubernetesActionsModule from '@opsdeck/plugin-kubernetes';
import knowledgePlugin, {
  knowledgeTranslationsModule,
} from '@opsdeck/plugin-knowledge';
import { navModule } from './modules/nav';
import { errorPagesModule } from './modules/errors';
import { catalogLabelsModule } from './modules/catalog';
import { orgMembersModule } from './modules/org';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signin';
import { backstageTranslationsModule } from './translation/backstage';
import { displayLanguageModule, settingsPlugin } from './modules/settings';
import { templatesLanguageModules } from './modules/templates';
import {
  translatedBackstagePages,
  translatedCatalogPlugin,
  translatedScaffolderPlugin,
} from './modules/pageTitles';

// Plugins listed in package.json are discovered (app.packages: all); these are
// the app's own modules and the catalog's new-frontend-system entry point.
export default createApp({
  features: [
    translatedCatalogPlugin,
    ...translatedBackstagePages,
    auditPlugin,
    cmdbPlugin,
    filesPlugin,
    bastionPlugin,
    sqlPlugin,
    ticketsPlugin,
    jobsPlugin,
    knowledgePlugin,
    knowledgeTranslationsModule,
    reportPlugin,
    registryPlugin,
    cicdPlugin,
    configPlugin,
    monitoringPlugin,
    kubernetesActionsModule,
    vaultPlugin,
    localAuthPlugin,
    navModule,
    errorPagesModule,
    catalogLabelsModule,
    orgMembersModule,
    homeModule,
    signInModule,
    backstageTranslationsModule,
    settingsPlugin,
    displayLanguageModule,
    ...templatesLanguageModules,
    translatedScaffolderPlugin,
  ],
});
