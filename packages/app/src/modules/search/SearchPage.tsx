import { ComponentType, createElement, ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import { makeStyles } from '@material-ui/core/styles';
import {
  CatalogIcon,
  Content,
  useSidebarPinState,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  CATALOG_FILTER_EXISTS,
} from '@backstage/plugin-catalog-react';
import { Router as SearchUrlState, SearchType } from '@backstage/plugin-search';
import {
  DefaultResultListItem,
  SearchBar,
  SearchFilter,
  SearchPagination,
  SearchResult,
  SearchResultPager,
  useSearch,
} from '@backstage/plugin-search-react';
import { appTranslationRef } from '../../translation/appTranslation';

/** What the search page's extension inputs give (result items, result types, filters). */
export type SearchPageInputs = {
  noTrack: boolean;
  items: Array<{
    predicate?: (result: any) => boolean;
    component: (props: any) => ReactElement | null;
  }>;
  resultTypes: Array<{ value: string; name: string; icon: ReactElement }>;
  searchFilters: Array<(props: { className?: string }) => ReactElement | null>;
};

const useStyles = makeStyles({ filter: { marginTop: 20 } });

function SearchPageContent(props: SearchPageInputs) {
  const { t } = useTranslationRef(appTranslationRef);
  const classes = useStyles();
  const { isMobile } = useSidebarPinState();
  const { types } = useSearch();
  const catalogApi = useApi(catalogApiRef);
  const configApi = useApi(configApiRef);
  const itemFor = (result: any): ComponentType<any> =>
    props.items.find(item => item.predicate?.(result))?.component ??
    DefaultResultListItem;
  return (
    <Content>
      <Grid container direction="row">
        <Grid item xs={12}>
          <SearchBar debounceTime={100} />
        </Grid>
        {!isMobile && (
          <Grid item xs={3}>
            <SearchType.Accordion
              name={t('search.resultType')}
              defaultValue={configApi.getOptionalString('search.defaultType')}
              showCounts
              types={[
                {
                  value: 'software-catalog',
                  name: t('search.softwareCatalog'),
                  icon: <CatalogIcon />,
                },
                ...props.resultTypes,
              ]}
            />
            <Paper style={{ padding: 16, marginTop: 16 }}>
              {types.includes('techdocs') && (
                <SearchFilter.Select
                  label={t('search.entity')}
                  name="name"
                  values={async () => {
                    const { items } = await catalogApi.getEntities({
                      fields: ['metadata.name'],
                      filter: {
                        'metadata.annotations.backstage.io/techdocs-ref':
                          CATALOG_FILTER_EXISTS,
                      },
                    });
                    return items.map(e => e.metadata.name).sort();
                  }}
                />
              )}
              <SearchFilter.Select
                className={
                  types.includes('techdocs') ? classes.filter : undefined
                }
                label={t('search.kind')}
                name="kind"
                values={async () => {
                  const { facets } = await catalogApi.getEntityFacets({
                    facets: ['kind'],
                  });
                  return (facets.kind ?? [])
                    .map(facet => facet.value)
                    .sort((a, b) => a.localeCompare(b));
                }}
              />
              <SearchFilter.Checkbox
                className={classes.filter}
                label={t('search.lifecycle')}
                name="lifecycle"
                values={[
                  { value: 'experimental', label: t('search.experimental') },
                  { value: 'production', label: t('search.production') },
                ]}
              />
              {props.searchFilters.map((Filter, index) => (
                <Filter key={index} className={classes.filter} />
              ))}
            </Paper>
          </Grid>
        )}
        <Grid item xs>
          <SearchPagination />
          <SearchResult>
            {({ results }) => (
              <>
                {results.map((result, index) => {
                  const { document, ...rest } = result;
                  return createElement(itemFor(result), {
                    ...rest,
                    key: index,
                    result: document,
                    noTrack: props.noTrack,
                  });
                })}
              </>
            )}
          </SearchResult>
          <SearchResultPager />
        </Grid>
      </Grid>
    </Content>
  );
}

/**
 * Backstage's search page (search bar, result types, filters, results, the
 * query kept in the address) with its filters' labels in the user's
 * language: Backstage's alpha page writes "Result Type", "Kind",
 * "Lifecycle" and the lifecycle values as fixed English.
 */
export function OpsdeckSearchPage(props: SearchPageInputs) {
  return (
    <Routes>
      <Route path="/" element={<SearchUrlState />}>
        <Route index element={<SearchPageContent {...props} />} />
      </Route>
    </Routes>
  );
}
