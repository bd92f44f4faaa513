import {
  createFrontendModule,
  createTranslationResource,
  TranslationRef,
} from '@backstage/frontend-plugin-api';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { coreComponentsTranslationRef } from '@backstage/core-components/alpha';
import { catalogTranslationRef } from '@backstage/plugin-catalog/alpha';
import { catalogReactTranslationRef } from '@backstage/plugin-catalog-react/alpha';
import { catalogGraphTranslationRef } from '@backstage/plugin-catalog-graph/alpha';
import { apiDocsTranslationRef } from '@backstage/plugin-api-docs/alpha';
import { scaffolderTranslationRef } from '@backstage/plugin-scaffolder/alpha';
import { scaffolderReactTranslationRef } from '@backstage/plugin-scaffolder-react/alpha';
import { homeTranslationRef } from '@backstage/plugin-home/alpha';
import { homeReactTranslationRef } from '@backstage/plugin-home-react/alpha';
import { notificationsTranslationRef } from '@backstage/plugin-notifications/alpha';
import { userSettingsTranslationRef } from '@backstage/plugin-user-settings/alpha';
import { orgTranslationRef } from '@backstage/plugin-org/alpha';
import { kubernetesTranslationRef } from '@backstage/plugin-kubernetes/alpha';
import { kubernetesReactTranslationRef } from '@backstage/plugin-kubernetes-react/alpha';

/**
 * zh-CN for Backstage's own screens: core components, catalog, entity pages,
 * scaffolder, home, notifications, settings, user and group pages, the
 * relations graph, API cards and the Kubernetes tab (TechDocs and search come with the knowledge
 * plugin's module). Each language file is loaded only when the app language
 * is zh-CN.
 */
export const backstageZhCN: Array<
  [string, TranslationRef<string, any>, () => Promise<{ default: any }>]
> = [
  [
    'core-components',
    coreComponentsTranslationRef,
    () => import('./coreComponents'),
  ],
  ['catalog', catalogTranslationRef, () => import('./catalog')],
  ['catalog-react', catalogReactTranslationRef, () => import('./catalogReact')],
  ['catalog-graph', catalogGraphTranslationRef, () => import('./catalogGraph')],
  ['api-docs', apiDocsTranslationRef, () => import('./apiDocs')],
  ['scaffolder', scaffolderTranslationRef, () => import('./scaffolder')],
  [
    'scaffolder-react',
    scaffolderReactTranslationRef,
    () => import('./scaffolderReact'),
  ],
  ['home', homeTranslationRef, () => import('./home')],
  ['home-react', homeReactTranslationRef, () => import('./homeReact')],
  [
    'notifications',
    notificationsTranslationRef,
    () => import('./notifications'),
  ],
  ['user-settings', userSettingsTranslationRef, () => import('./userSettings')],
  ['org', orgTranslationRef, () => import('./org')],
  ['kubernetes', kubernetesTranslationRef, () => import('./kubernetes')],
  [
    'kubernetes-react',
    kubernetesReactTranslationRef,
    () => import('./kubernetesReact'),
  ],
];

/** The app module that installs {@link backstageZhCN} (add it to the app's features). */
export const backstageTranslationsModule = createFrontendModule({
  pluginId: 'app',
  extensions: backstageZhCN.map(([name, ref, load]) =>
    TranslationBlueprint.make({
      name: `${name}-zh-cn`,
      params: {
        resource: createTranslationResource({
          ref,
          translations: { 'zh-CN': load },
        }),
      },
    }),
  ),
});
