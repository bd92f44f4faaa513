import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { sqlTranslationRef } from './translation/translation';

/** Route of the Databases page; the sidebar lists only pages that have one. */
export const sqlRouteRef = createRouteRef();

/** The Databases page at /sql, with its sidebar item. */
export const sqlPage = PageBlueprint.make({
  params: {
    path: '/sql',
    routeRef: sqlRouteRef,
    title: sqlTranslationRef('page.title'),
    icon: <StorageIcon />,
    loader: () => import('./components/SqlPage').then(m => <m.SqlPage />),
  },
});

/** True for database and cache instances: `Resource` of type database or cache. */
export function isDatabaseEntity(entity: Entity): boolean {
  const type = (entity.spec as { type?: unknown } | undefined)?.type;
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (type === 'database' || type === 'cache')
  );
}

/** "Database connection" card (reachability, server version) on instance pages. */
export const connectionCard = EntityCardBlueprint.make({
  name: 'connection',
  params: {
    filter: isDatabaseEntity,
    loader: () =>
      import('./components/ConnectionCard').then(m => <m.ConnectionCard />),
  },
});

/**
 * opsdeck's databases: SQL changes, query console, slow queries, rules.
 *
 * @public
 */
export const sqlPlugin = createFrontendPlugin({
  pluginId: 'sql',
  title: 'Databases',
  icon: <StorageIcon />,
  routes: { root: sqlRouteRef },
  extensions: [sqlPage, connectionCard],
});
