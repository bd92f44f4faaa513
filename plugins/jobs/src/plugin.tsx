import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import PlaylistPlayIcon from '@material-ui/icons/PlaylistPlay';
import { jobsTranslationRef } from './translation/translation';

/** Route of the Jobs page; the sidebar lists only pages that have one. */
export const jobsRouteRef = createRouteRef();

/** The Jobs page at /jobs (runs at /jobs/runs/:id), with its sidebar item. */
export const jobsPage = PageBlueprint.make({
  params: {
    path: '/jobs',
    routeRef: jobsRouteRef,
    title: jobsTranslationRef('page.title'),
    icon: <PlaylistPlayIcon />,
    loader: () => import('./components/JobsPage').then(m => <m.JobsPage />),
  },
});

/**
 * opsdeck's jobs: script library, runs on catalog hosts, schedules, history.
 *
 * @public
 */
export const jobsPlugin = createFrontendPlugin({
  pluginId: 'jobs',
  title: 'Jobs',
  icon: <PlaylistPlayIcon />,
  routes: { root: jobsRouteRef },
  extensions: [jobsPage],
});
