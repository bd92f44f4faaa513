import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import { PANEL_ENGINES } from '@opsdeck/plugin-monitoring-common';
import { monitoringTranslationRef } from './translation/translation';

/** True for hosts: `Resource` of type host. */
export function isHostEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (entity.spec as { type?: unknown } | undefined)?.type === 'host'
  );
}

/**
 * True for databases and caches (`Resource` of type database or cache)
 * whose `spec.engine` has panels: postgresql, mysql, mariadb, redis.
 */
export function isStoreEntity(entity: Entity): boolean {
  const spec = (entity.spec ?? {}) as { type?: unknown; engine?: unknown };
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (spec.type === 'database' || spec.type === 'cache') &&
    typeof spec.engine === 'string' &&
    Object.prototype.hasOwnProperty.call(
      PANEL_ENGINES,
      spec.engine.toLocaleLowerCase('en-US'),
    )
  );
}

/** The Monitoring tab on host, database and cache entity pages. */
export const monitoringEntityContent = EntityContentBlueprint.make({
  name: 'monitoring',
  params: {
    path: '/monitoring',
    title: monitoringTranslationRef('tab.title'),
    filter: (entity: Entity) => isHostEntity(entity) || isStoreEntity(entity),
    loader: () =>
      import('./components/MonitoringTab').then(m => <m.MonitoringTab />),
  },
});

/** Route of the monitoring page; the sidebar lists only pages that have one. */
export const monitoringRouteRef = createRouteRef();

/** Monitoring and alerts at /monitoring (alerts with deliveries, rules, silences). */
export const monitoringPage = PageBlueprint.make({
  params: {
    path: '/monitoring',
    routeRef: monitoringRouteRef,
    title: monitoringTranslationRef('page.title'),
    icon: <ShowChartIcon />,
    loader: () =>
      import('./components/alerts/MonitoringPage').then(m => (
        <m.MonitoringPage />
      )),
  },
});

/**
 * opsdeck monitoring in the portal.
 *
 * @public
 */
export const monitoringPlugin = createFrontendPlugin({
  pluginId: 'monitoring',
  title: 'Monitoring',
  icon: <ShowChartIcon />,
  routes: { root: monitoringRouteRef },
  extensions: [monitoringPage, monitoringEntityContent],
});
