import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import FolderIcon from '@material-ui/icons/Folder';
import { filesTranslationRef } from './translation/translation';

/** Route of the Files page; the sidebar lists only pages that have one. */
export const filesRouteRef = createRouteRef();

/** The Files page at /files, with its sidebar item. */
export const filesPage = PageBlueprint.make({
  params: {
    path: '/files',
    routeRef: filesRouteRef,
    title: filesTranslationRef('page.title'),
    icon: <FolderIcon />,
    loader: () => import('./components/FilesPage').then(m => <m.FilesPage />),
  },
});

/**
 * opsdeck's file library: resumable uploads, versions, and distribution to
 * hosts with a live per-host view.
 *
 * @public
 */
export const filesPlugin = createFrontendPlugin({
  pluginId: 'files',
  title: 'Files',
  icon: <FolderIcon />,
  routes: { root: filesRouteRef },
  extensions: [filesPage],
});
