import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import type { MonitoringConfig } from '../config';
import type { ProbeService } from '../probes/ProbeService';
import type { createOpenApiRouter } from '../schema/openapi.generated';
import {
  HOST_PANELS,
  queryPanels,
  type PanelDefinition,
} from '../views/panels';
import { isProbedComponent, probePanels } from '../views/probePanels';
import { panelEngine, STORE_PANELS } from '../views/storePanels';

/**
 * GET /entities/{kind}/{namespace}/{name}/panels: the fixed panels of a
 * host, a database, cache or queue (by engine), or a service's probes. The guard
 * has checked opsdeck.monitoring.metrics.read; the catalog, read as the
 * caller, decides whether the entity exists for them (404 otherwise). The
 * caller names the entity and a range, never PromQL.
 */
export function registerPanelRoutes(
  router: Awaited<ReturnType<typeof createOpenApiRouter>>,
  options: {
    guard: ReturnType<typeof createRequestGuard>;
    catalog: CatalogService;
    probes: ProbeService;
    config: MonitoringConfig;
  },
) {
  const { guard, catalog, probes, config } = options;

  router.get('/entities/:kind/:namespace/:name/panels', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const { kind, namespace, name } = req.params;
    const entityRef = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
    const entity = await catalog
      .getEntityByRef(entityRef, { credentials })
      .catch(() => undefined);
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    let panels: PanelDefinition[];
    if ((entity.spec as { type?: unknown } | undefined)?.type === 'host') {
      panels = HOST_PANELS;
    } else if (isProbedComponent(entity)) {
      // the probes stored on this entity (the catalog showed it to the
      // caller above), each with its own panels; none: no panels
      panels = (await probes.list({ entityRef })).flatMap(probePanels);
    } else {
      const engine = panelEngine(entity);
      if (!engine) {
        throw new InputError(
          'Monitoring panels are for hosts, for databases and caches of engine postgresql, mysql, mariadb or redis, for queues of engine rabbitmq, and for service and website components',
        );
      }
      panels = STORE_PANELS[engine];
    }
    if (!config.prometheusUrl) {
      throw new InputError('opsdeck.monitoring.prometheus.url is not set');
    }
    const range = req.query.range ?? '1h';
    res.json({
      entityRef,
      range,
      // PanelData is the response schema's panel, declared without the
      // index signature the generated type carries
      panels: (await queryPanels({
        prometheusUrl: config.prometheusUrl,
        entityRef,
        panels,
        range,
        now: new Date(),
      })) as any,
    });
  });
}
