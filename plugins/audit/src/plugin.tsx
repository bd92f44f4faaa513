import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import HistoryIcon from '@material-ui/icons/History';
import { auditTranslationRef } from './translation/translation';

/** Route of the Audit page; the sidebar lists only pages that have one. */
export const auditRouteRef = createRouteRef();

/** The Audit page at /audit, with its sidebar item. */
export const auditPage = PageBlueprint.make({
  params: {
    path: '/audit',
    routeRef: auditRouteRef,
    title: auditTranslationRef('page.title'),
    icon: <HistoryIcon />,
    loader: () => import('./components/AuditPage').then(m => <m.AuditPage />),
  },
});

/**
 * opsdeck's audit log: a page that lists the persisted audit events.
 *
 * @public
 */
export const auditPlugin = createFrontendPlugin({
  pluginId: 'audit',
  title: 'Audit log',
  icon: <HistoryIcon />,
  routes: { root: auditRouteRef },
  extensions: [auditPage],
});
