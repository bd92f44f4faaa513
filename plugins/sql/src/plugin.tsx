import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
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
  extensions: [sqlPage],
});
