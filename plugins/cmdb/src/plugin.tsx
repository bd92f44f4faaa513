import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { SearchResultListItemBlueprint } from '@backstage/plugin-search-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { cmdbTranslationRef } from './translation/translation';

/** Route of the Hosts page; the sidebar lists only pages that have one. */
export const hostsRouteRef = createRouteRef();

/** True for the catalog entities the CMDB manages: `Resource` of type host. */
export function isHostEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (entity.spec as { type?: unknown } | undefined)?.type === 'host'
  );
}

/** The Hosts page at /hosts, with its sidebar item. */
export const hostsPage = PageBlueprint.make({
  params: {
    path: '/hosts',
    routeRef: hostsRouteRef,
    title: cmdbTranslationRef('page.title'),
    icon: <StorageIcon />,
    loader: () => import('./components/HostsPage').then(m => <m.HostsPage />),
  },
});

/** "Host facts" card on the catalog page of every host. */
export const hostFactsCard = EntityCardBlueprint.make({
  name: 'host-facts',
  params: {
    filter: isHostEntity,
    loader: () =>
      import('./components/HostFactsCard').then(m => <m.HostFactsCard />),
  },
});

/** The search document type of CMDB hosts (cmdb-backend's search module). */
export const HOST_SEARCH_TYPE = 'opsdeck-host';

/** Hosts in the search results, with their facts. */
export const hostSearchResultItem = SearchResultListItemBlueprint.make({
  name: 'host',
  params: {
    predicate: result => result.type === HOST_SEARCH_TYPE,
    icon: <StorageIcon />,
    component: () =>
      import('./components/HostSearchResultItem').then(
        m => m.HostSearchResultItem,
      ),
  },
});

/**
 * opsdeck's CMDB: the Hosts page, the host facts card and host search results.
 *
 * @public
 */
export const cmdbPlugin = createFrontendPlugin({
  pluginId: 'cmdb',
  title: 'Hosts',
  icon: <StorageIcon />,
  routes: { root: hostsRouteRef },
  extensions: [hostsPage, hostFactsCard, hostSearchResultItem],
});
