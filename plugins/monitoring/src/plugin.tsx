import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import {
  PANEL_ENGINES,
  PROBED_COMPONENT_TYPES,
} from '@opsdeck/plugin-monitoring-common';
import { monitoringRouteRef } from './routes';
import { monitoringTranslationRef } from './translation/translation';

export { monitoringRouteRef };

/** True for hosts: `Resource` of type host. */
export function isHostEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (entity.spec as { type?: unknown } | undefined)?.type === 'host'
  );
}

/**
 * True for databases and caches (`Resource` of type database or cache)
 * whose `spec.engine` has panels: postgresql, mysql, mariadb, redis; and for
 * message queues (`Resource` of type queue) of engine rabbitmq. As the
 * backend's panels: a queue's engine is not a database's, nor the other way.
 */
export function isStoreEntity(entity: Entity): boolean {
  const spec = (entity.spec ?? {}) as { type?: unknown; engine?: unknown };
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    (spec.type !== 'database' &&
      spec.type !== 'cache' &&
      spec.type !== 'queue') ||
    typeof spec.engine !== 'string'
  ) {
    return false;
  }
  const engine = spec.engine.toLocaleLowerCase('en-US');
  return (
    Object.prototype.hasOwnProperty.call(PANEL_ENGINES, engine) &&
    (spec.type === 'queue') === (engine === 'rabbitmq')
  );
}

/**
 * True for services: `Component` of type service or website, whose tab
 * charts the probes on them (or says that there are none).
 */
export function isServiceEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (PROBED_COMPONENT_TYPES as readonly unknown[]).includes(
      (entity.spec as { type?: unknown } | undefined)?.type,
    )
  );
}

/** The Monitoring tab on host, database, cache, queue and service entity pages. */
export const monitoringEntityContent = EntityContentBlueprint.make({
  name: 'monitoring',
  params: {
    path: '/monitoring',
    title: monitoringTranslationRef('tab.title'),
    filter: (entity: Entity) =>
      isHostEntity(entity) || isStoreEntity(entity) || isServiceEntity(entity),
    loader: () =>
      import('./components/MonitoringTab').then(m => <m.MonitoringTab />),
  },
});

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
