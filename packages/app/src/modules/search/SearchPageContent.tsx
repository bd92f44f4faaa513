import { useEffect, useRef } from 'react';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import { makeStyles } from '@material-ui/core/styles';
import { CatalogIcon, Content } from '@backstage/core-components';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { SearchType } from '@backstage/plugin-search';
import {
  DefaultResultListItem,
  SearchBar,
  SearchContextProvider,
  SearchFilter,
  SearchPagination,
  SearchResult,
  SearchResultPager,
  useSearch,
} from '@backstage/plugin-search-react';
import { useLocation } from 'react-router-dom';
import { appTranslationRef } from '../../translation/appTranslation';

/** What the search page's extension inputs give it (as Backstage's own page). */
export interface SearchPageInputs {
  items: Array<{
    predicate?: (result: any) => boolean;
    component: (props: any) => JSX.Element | null;
  }>;
  resultTypes: Array<{ value: string; name: string; icon: JSX.Element }>;
  searchFilters: Array<(props: { className?: string }) => JSX.Element | null>;
  noTrack?: boolean;
}

/** Result types Backstage names in English, by value. */
const RESULT_TYPE_KEYS: Record<string, 'search.documentation'> = {
  techdocs: 'search.documentation',
};

const useStyles = makeStyles(theme => ({
  filters: { padding: theme.spacing(2), marginTop: theme.spacing(2) },
  filter: { '& + &': { marginTop: theme.spacing(2.5) } },
}));

/**
 * The search query in the address bar: read when the page opens (the sidebar's
 * search sends `?query=`), written back as the user types or filters.
 */
function SearchUrlSync() {
  const location = useLocation();
  const { term, setTerm, types, setTypes } = useSearch();
  const read = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (read.current === location.search) return;
    read.current = location.search;
    const params = new URLSearchParams(location.search);
    const query = params.get('query');
    if (query) setTerm(query);
    const wanted = params.getAll('types[]');
    if (wanted.length) setTypes(wanted);
  }, [location.search, setTerm, setTypes]);
  useEffect(() => {
    const params = new URLSearchParams();
    if (term) params.set('query', term);
    for (const type of types) params.append('types[]', type);
    const search = params.toString();
    window.history.replaceState(
      null,
      document.title,
      `${window.location.pathname}${search ? `?${search}` : ''}`,
    );
  }, [term, types]);
  return null;
}

function SearchPageBody(props: SearchPageInputs) {
  const { t } = useTranslationRef(appTranslationRef);
  const classes = useStyles();
  const catalogApi = useApi(catalogApiRef);
  const resultTypes = [
    {
      value: 'software-catalog',
      name: t('search.softwareCatalog'),
      icon: <CatalogIcon />,
    },
    ...props.resultTypes.map(type =>
      RESULT_TYPE_KEYS[type.value]
        ? { ...type, name: t(RESULT_TYPE_KEYS[type.value]) }
        : type,
    ),
  ];
  const facet = async (name: string) => {
    const { facets } = await catalogApi.getEntityFacets({ facets: [name] });
    return (facets[name] ?? []).map(f => f.value).sort();
  };
  const itemFor = (result: any) =>
    props.items.find(item => item.predicate?.(result))?.component ??
    DefaultResultListItem;
  return (
    <Content>
      <Grid container direction="row">
        <Grid item xs={12}>
          <SearchBar debounceTime={100} />
        </Grid>
        <Grid item xs={3}>
          <SearchType.Accordion
            name={t('search.resultType')}
            showCounts
            types={resultTypes}
          />
          <Paper className={classes.filters}>
            <SearchFilter.Select
              className={classes.filter}
              label={t('search.kind')}
              name="kind"
              values={() => facet('kind')}
            />
            <SearchFilter.Checkbox
              className={classes.filter}
              label={t('search.lifecycle')}
              name="lifecycle"
              values={() => facet('spec.lifecycle')}
            />
            {props.searchFilters.map((Filter, index) => (
              <Filter key={index} className={classes.filter} />
            ))}
          </Paper>
        </Grid>
        <Grid item xs>
          <SearchPagination />
          <SearchResult>
            {({ results }) => (
              <>
                {results.map(({ document, ...rest }, index) => {
                  const Item = itemFor({ document, ...rest });
                  return (
                    <Item
                      {...rest}
                      key={index}
                      result={document}
                      noTrack={props.noTrack}
                    />
                  );
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

/** The search page with opsdeck's labels in the reader's language. */
export function SearchPageContent(props: SearchPageInputs) {
  return (
    <SearchContextProvider>
      <SearchUrlSync />
      <SearchPageBody {...props} />
    </SearchContextProvider>
  );
}
