import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import SettingsApplicationsIcon from '@material-ui/icons/SettingsApplications';
import { configTranslationRef } from './translation/translation';

/** Route of the config pages; the sidebar lists only pages that have one. */
export const configRouteRef = createRouteRef();

/** Configuration management at /config (sets, one set). */
export const configPage = PageBlueprint.make({
  params: {
    path: '/config',
    routeRef: configRouteRef,
    title: configTranslationRef('page.title'),
    icon: <SettingsApplicationsIcon />,
    loader: () => import('./components/ConfigPage').then(m => <m.ConfigPage />),
  },
});

/**
 * opsdeck's configuration management (配置管理) in the portal.
 *
 * @public
 */
export const configPlugin = createFrontendPlugin({
  pluginId: 'config',
  title: 'Config',
  icon: <SettingsApplicationsIcon />,
  routes: { root: configRouteRef },
  extensions: [configPage],
});
