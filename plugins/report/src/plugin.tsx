import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import AssessmentIcon from '@material-ui/icons/Assessment';
import { reportTranslationRef } from './translation/translation';

/** Route of the weekly report pages; the sidebar lists only pages that have one. */
export const reportRouteRef = createRouteRef();

/** The weekly report at /report (history, a report, a figure's records). */
export const reportPage = PageBlueprint.make({
  params: {
    path: '/report',
    routeRef: reportRouteRef,
    title: reportTranslationRef('page.title'),
    icon: <AssessmentIcon />,
    loader: () => import('./components/ReportPage').then(m => <m.ReportPage />),
  },
});

/**
 * opsdeck's weekly tech report (技术周报) in the portal.
 *
 * @public
 */
export const reportPlugin = createFrontendPlugin({
  pluginId: 'report',
  title: 'Weekly report',
  icon: <AssessmentIcon />,
  routes: { root: reportRouteRef },
  extensions: [reportPage],
});
