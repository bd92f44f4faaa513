import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { vaultTranslationRef } from './translation/translation';

/** Route of the Credentials page; the sidebar lists only pages that have one. */
export const credentialsRouteRef = createRouteRef();

/** The Credentials page at /credentials, with its sidebar item. */
export const credentialsPage = PageBlueprint.make({
  params: {
    path: '/credentials',
    routeRef: credentialsRouteRef,
    title: vaultTranslationRef('page.title'),
    icon: <VpnKeyIcon />,
    loader: () =>
      import('./components/CredentialsPage').then(m => <m.CredentialsPage />),
  },
});

/**
 * opsdeck's credentials vault: a page to manage SSH keys and passwords.
 *
 * @public
 */
export const vaultPlugin = createFrontendPlugin({
  pluginId: 'vault',
  title: 'Credentials',
  icon: <VpnKeyIcon />,
  routes: { root: credentialsRouteRef },
  extensions: [credentialsPage],
});
