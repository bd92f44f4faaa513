import searchPlugin from '@backstage/plugin-search/alpha';
import {
  SearchFilterBlueprint,
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { appTranslationRef } from '../../translation/appTranslation';

/**
 * Backstage's search page with its labels (result types, filters, title) in
 * the reader's language: Backstage writes them in English in the page itself,
 * so the page's content is opsdeck's, fed by the same extension inputs
 * (result list items, result types and filters other plugins add).
 */
export const translatedSearchPlugin = searchPlugin.withOverrides({
  extensions: [
    (searchPlugin.getExtension('page:search') as any).override({
      factory(originalFactory: any, { config, inputs }: any) {
        return originalFactory({
          params: {
            title: appTranslationRef('titles.search'),
            loader: async () => {
              const { SearchPageContent } = await import(
                './SearchPageContent'
              );
              return (
                <SearchPageContent
                  noTrack={config.noTrack}
                  items={inputs.items.map((i: any) =>
                    i.get(SearchResultListItemBlueprint.dataRefs.item),
                  )}
                  resultTypes={inputs.resultTypes.map((i: any) =>
                    i.get(SearchFilterResultTypeBlueprint.dataRefs.resultType),
                  )}
                  searchFilters={inputs.searchFilters.map(
                    (i: any) =>
                      i.get(SearchFilterBlueprint.dataRefs.searchFilters)
                        .component,
                  )}
                />
              );
            },
          },
        });
      },
    }),
  ],
});
