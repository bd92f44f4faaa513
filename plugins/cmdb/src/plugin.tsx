import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
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

/**
 * opsdeck's CMDB: the Hosts page and the host facts card.
 *
 * @public
 */
export const cmdbPlugin = createFrontendPlugin({
  pluginId: 'cmdb',
  title: 'Hosts',
  icon: <StorageIcon />,
  routes: { root: hostsRouteRef },
  extensions: [hostsPage, hostFactsCard],
});
