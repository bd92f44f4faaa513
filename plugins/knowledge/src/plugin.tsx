import {
  createFrontendModule,
  createFrontendPlugin,
  createTranslationResource,
} from '@backstage/frontend-plugin-api';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { searchTranslationRef } from '@backstage/plugin-search/alpha';
import { searchReactTranslationRef } from '@backstage/plugin-search-react/alpha';
import { techdocsTranslationRef } from '@backstage/plugin-techdocs/alpha';
import type { Entity } from '@backstage/catalog-model';
import { runbookSources } from '@opsdeck/plugin-knowledge-common';

/** Entities that have runbooks somewhere (own docs, annotation, dependents). */
export function hasRunbookSources(entity: Entity): boolean {
  return runbookSources(entity).length > 0;
}

/** "Runbooks" card on the catalog page of every entity that has runbooks. */
export const runbooksCard = EntityCardBlueprint.make({
  name: 'runbooks',
  params: {
    filter: hasRunbookSources,
    loader: () =>
      import('./components/RunbooksCard').then(m => <m.RunbooksCard />),
  },
});

/**
 * opsdeck's knowledge base in the portal: runbooks on entity pages. TechDocs
 * itself (the docs pages, the Docs tab, search results) is Backstage's
 * plugin, discovered from the app's dependencies.
 *
 * @public
 */
export const knowledgePlugin = createFrontendPlugin({
  pluginId: 'knowledge',
  title: 'Knowledge base',
  extensions: [runbooksCard],
});

const zhCN = <T,>(load: () => Promise<{ default: T }>) => ({
  'zh-CN': load,
});

/**
 * Simplified Chinese for Backstage's TechDocs and search screens. Translations
 * belong to the app plugin, so this is a module of it (add it to the app's
 * features).
 *
 * @public
 */
export const knowledgeTranslationsModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    TranslationBlueprint.make({
      name: 'techdocs-zh-cn',
      params: {
        resource: createTranslationResource({
          ref: techdocsTranslationRef,
          translations: zhCN(() => import('./translation/techdocsZhCN')),
        }),
      },
    }),
    TranslationBlueprint.make({
      name: 'search-zh-cn',
      params: {
        resource: createTranslationResource({
          ref: searchTranslationRef,
          translations: zhCN(() => import('./translation/searchZhCN')),
        }),
      },
    }),
    TranslationBlueprint.make({
      name: 'search-react-zh-cn',
      params: {
        resource: createTranslationResource({
          ref: searchReactTranslationRef,
          translations: zhCN(() => import('./translation/searchReactZhCN')),
        }),
      },
    }),
  ],
});
