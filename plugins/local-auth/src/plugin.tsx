import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import PeopleIcon from '@material-ui/icons/People';
import { accountsTranslationRef } from './translation/translation';

/** Route of the Accounts page. */
export const accountsRouteRef = createRouteRef();

/** The Accounts page at /accounts, with its sidebar item. */
export const accountsPage = PageBlueprint.make({
  params: {
    path: '/accounts',
    routeRef: accountsRouteRef,
    title: accountsTranslationRef('page.title'),
    icon: <PeopleIcon />,
    loader: () =>
      import('./components/AccountsPage').then(m => <m.AccountsPage />),
  },
});

/**
 * opsdeck's local accounts: an admin page for accounts and their sessions.
 *
 * @public
 */
export const localAuthPlugin = createFrontendPlugin({
  pluginId: 'local-auth',
  title: 'Accounts',
  icon: <PeopleIcon />,
  routes: { root: accountsRouteRef },
  extensions: [accountsPage],
});
