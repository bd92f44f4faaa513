import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import KeyboardIcon from '@material-ui/icons/Keyboard';
import { bastionTranslationRef } from './translation/translation';

/** Route of the Bastion page; the sidebar lists only pages that have one. */
export const bastionRouteRef = createRouteRef();

function isHostEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (entity.spec as { type?: unknown } | undefined)?.type === 'host'
  );
}

/** The Bastion pages at /bastion (overview, /hosts/:name terminal, /sessions/:id replay). */
export const bastionPage = PageBlueprint.make({
  params: {
    path: '/bastion',
    routeRef: bastionRouteRef,
    title: bastionTranslationRef('page.title'),
    icon: <KeyboardIcon />,
    loader: () =>
      import('./components/BastionPage').then(m => <m.BastionPage />),
  },
});

/** "Open terminal" card on the catalog page of every host. */
export const openTerminalCard = EntityCardBlueprint.make({
  name: 'open-terminal',
  params: {
    filter: isHostEntity,
    loader: () =>
      import('./components/OpenTerminalCard').then(m => <m.OpenTerminalCard />),
  },
});

/**
 * opsdeck's bastion: web terminals, session replay, grants, rules and two-factor set-up.
 *
 * @public
 */
export const bastionPlugin = createFrontendPlugin({
  pluginId: 'bastion',
  title: 'Bastion',
  icon: <KeyboardIcon />,
  routes: { root: bastionRouteRef },
  extensions: [bastionPage, openTerminalCard],
});
