import { createElement } from 'react';
import {
  coreExtensionData,
  ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import techdocsPlugin from '@backstage/plugin-techdocs/alpha';
import apiDocsPlugin from '@backstage/plugin-api-docs/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import searchPlugin from '@backstage/plugin-search/alpha';
import {
  SearchFilterBlueprint,
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { appTranslationRef } from '../translation/appTranslation';

type TitleKey =
  | 'titles.create'
  | 'titles.templates'
  | 'titles.tasks'
  | 'titles.actions'
  | 'titles.templateEditor'
  | 'titles.templatingExtensions'
  | 'sidebar.catalog'
  | 'sidebar.apis'
  | 'sidebar.docs'
  | 'sidebar.notifications'
  | 'sidebar.search';

const english = (appTranslationRef as any).getDefaultMessages() as Record<
  string,
  string
>;

/**
 * A page whose title follows the interface language: the page's own
 * parameters with `title` replaced by a message of the app's translations,
 * so its header, its breadcrumb and its sidebar entry all resolve it as the
 * language changes. For Backstage pages that give their titles as fixed
 * English (the blueprint merges override params over the page's own).
 */
function translatedPage(extension: any, key: TitleKey): ExtensionDefinition {
  return extension.override({ params: { title: appTranslationRef(key) } });
}

/**
 * {@link translatedPage} with the page's content replaced: `loader` gets the
 * page's inputs and config (the original blueprint factory runs with the new
 * title and loader merged over the page's own params).
 */
function translatedPageWithContent(
  extension: any,
  key: TitleKey,
  loader: (ctx: { inputs: any; config: any }) => Promise<JSX.Element>,
): ExtensionDefinition {
  return extension.override({
    factory(originalFactory: (o?: { params?: object }) => any, ctx: any) {
      return originalFactory({
        params: { title: appTranslationRef(key), loader: () => loader(ctx) },
      });
    },
  });
}

/**
 * A sub-page (a tab) whose title follows the interface language: its outputs
 * with the title replaced by `key` of the app's translations (the page
 * header's tabs resolve `titleTranslation`).
 */
function translatedTab(extension: any, key: TitleKey): ExtensionDefinition {
  return extension.override({
    factory(originalFactory: () => Iterable<{ id: string }>) {
      const outputs = [...originalFactory()].filter(
        d =>
          d.id !== coreExtensionData.title.id &&
          d.id !== coreExtensionData.titleTranslation.id,
      );
      return [
        ...outputs,
        coreExtensionData.title(english[key]),
        coreExtensionData.titleTranslation(appTranslationRef(key)),
      ];
    },
  });
}

/** Backstage's scaffolder ("Create") with its page and tab titles translated. */
export const translatedScaffolderPlugin = scaffolderPlugin.withOverrides({
  extensions: [
    translatedPage(
      scaffolderPlugin.getExtension('page:scaffolder'),
      'titles.create',
    ),
    ...(
      [
        ['sub-page:scaffolder/templates', 'titles.templates'],
        ['sub-page:scaffolder/tasks', 'titles.tasks'],
        ['sub-page:scaffolder/actions', 'titles.actions'],
        ['sub-page:scaffolder/editor', 'titles.templateEditor'],
        [
          'sub-page:scaffolder/templating-extensions',
          'titles.templatingExtensions',
        ],
      ] as const
    ).map(([id, key]) => translatedTab(scaffolderPlugin.getExtension(id), key)),
  ],
});

/** Backstage's catalog with its index and entity pages titled in the user's language. */
export const translatedCatalogPlugin = catalogPlugin.withOverrides({
  extensions: [
    translatedPageWithContent(
      catalogPlugin.getExtension('page:catalog'),
      'sidebar.catalog',
      async ({ inputs, config }) => {
        const { OpsdeckCatalogIndexPage } = await import(
          './catalog/CatalogIndexPage'
        );
        return createElement(OpsdeckCatalogIndexPage, {
          filters: inputs.filters.map((f: any) =>
            f.get(coreExtensionData.reactElement),
          ),
          pagination: config.pagination,
        });
      },
    ),
    translatedPage(
      catalogPlugin.getExtension('page:catalog/entity'),
      'sidebar.catalog',
    ),
  ],
});

/** TechDocs, API docs, notifications and search pages titled in the user's language. */
export const translatedBackstagePages = [
  techdocsPlugin.withOverrides({
    extensions: [
      translatedPageWithContent(
        techdocsPlugin.getExtension('page:techdocs'),
        'sidebar.docs',
        async ({ config }) => {
          const { OpsdeckDocsIndexPage } = await import('./docs/DocsIndexPage');
          return createElement(OpsdeckDocsIndexPage, {
            initialFilter: config.initialFilter,
          });
        },
      ),
    ],
  }),
  apiDocsPlugin.withOverrides({
    extensions: [
      translatedPage(
        apiDocsPlugin.getExtension('page:api-docs'),
        'sidebar.apis',
      ),
    ],
  }),
  notificationsPlugin.withOverrides({
    extensions: [
      translatedPage(
        notificationsPlugin.getExtension('page:notifications'),
        'sidebar.notifications',
      ),
    ],
  }),
  searchPlugin.withOverrides({
    extensions: [
      translatedPageWithContent(
        searchPlugin.getExtension('page:search'),
        'sidebar.search',
        async ({ inputs, config }) => {
          const { OpsdeckSearchPage } = await import('./search/SearchPage');
          return createElement(OpsdeckSearchPage, {
            noTrack: config.noTrack,
            items: inputs.items.map((i: any) =>
              i.get(SearchResultListItemBlueprint.dataRefs.item),
            ),
            resultTypes: inputs.resultTypes.map((i: any) =>
              i.get(SearchFilterResultTypeBlueprint.dataRefs.resultType),
            ),
            searchFilters: inputs.searchFilters.map(
              (i: any) =>
                i.get(SearchFilterBlueprint.dataRefs.searchFilters).component,
            ),
          });
        },
      ),
    ],
  }),
];
