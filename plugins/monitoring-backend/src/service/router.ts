import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  AlertEvent,
  MonitoredKind,
} from '@opsdeck/plugin-monitoring-common';
import { monitoringRuleManagePermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  createRequestGuard,
  principalRef,
  type RateLimiter,
} from '@opsdeck/plugin-opsdeck-node';
import type { AckService } from '../alerts/AckService';
import type { OnCallService } from '../oncall/OnCallService';
import type { AlertRouter } from '../alerts/AlertRouter';
import type { MonitoringConfig } from '../config';
import type { ProbeService } from '../probes/ProbeService';
import type { ProcessProber } from '../probes/ProcessProber';
import { silenceEntityOf, type RuleService } from '../rules/RuleService';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { SPEC_TYPES, targetGroups } from '../sd/targets';
import { queryFleet } from '../views/fleet';
import { registerAckRoutes } from './ackRoutes';
import { registerDeliveryRoutes } from './deliveryRoutes';
import { registerOnCallRoutes } from './oncallRoutes';
import { registerPanelRoutes } from './panelRoutes';
import { registerProbeRoutes } from './probeRoutes';
import { alertEntityScope, readableEntityRefs } from './entityScope';

/**
 * The monitoring plugin's HTTP API (src/schema/openapi.yaml). Every route
 * passes the request guard first (authentication and the permission of
 * src/schema/access.ts).
 */
export async function createRouter(options: {
  config: MonitoringConfig;
  alerts: AlertRouter;
  acks: AckService;
  oncall: OnCallService;
  rules: RuleService;
  probes: ProbeService;
  processes: ProcessProber;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger?: LoggerService;
  /** Test sends and retries a person makes by hand (429 past the limit). */
  sends: RateLimiter;
}) {
  const { alerts, catalog, auth, config, rules, probes, processes } = options;
  const guard = createRequestGuard(options);
  const router = await createOpenApiRouter({ guard });

  /** The entity as the catalog shows it to the person; 404 if it does not. */
  async function readableEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    const entity = await catalog
      .getEntityByRef(entityRef, { credentials })
      .catch(() => undefined);
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    return entity;
  }

  router.get('/sd/:kind', async (req, res) => {
    const kind = req.params.kind as MonitoredKind;
    // Prometheus has no catalog identity: the plugin reads every entity of
    // the kind with its own credentials (the SD permission is the gate).
    const { items } = await catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': SPEC_TYPES[kind] } },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const { owner, system, environment, tags } = req.query;
    const selector =
      owner || system || environment || tags
        ? {
            ...(owner ? { owner } : {}),
            ...(system ? { system } : {}),
            ...(environment ? { environment } : {}),
            ...(tags
              ? {
                  tags: tags
                    .split(',')
                    .map(t => t.trim())
                    .filter(Boolean),
                }
              : {}),
          }
        : undefined;
    res.json(
      targetGroups(items, kind, {
        defaultNodePort: config.nodeExporterPort,
        selector,
      }),
    );
  });

  router.post('/alerts/webhook', async (req, res) => {
    res.json(await alerts.receive(req.body.alerts));
  });

  // owner-scoped: alerts on entities the catalog shows the person; alerts
  // without an entity (Watchdog, Prometheus' own, test sends) and alerts on
  // entities the catalog no longer has (decommissioned hosts, decided with
  // the plugin's own credentials) to those who manage rules. Catalog lookups
  // in batches, filtered in the query (full pages).
  async function alertScope(
    refs: Iterable<string>,
    credentials: BackstageCredentials,
  ) {
    const manager = await guard.allowed(
      credentials,
      monitoringRuleManagePermission,
    );
    const entityRefs = await alertEntityScope(
      catalog,
      refs,
      { credentials, manager },
      () => auth.getOwnServiceCredentials(),
    );
    return { entityRefs, withoutEntity: manager };
  }

  router.get('/alerts', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const scope = await alertScope(
      await alerts.store.entityRefs(),
      credentials,
    );
    res.json(
      await alerts.store.listEvents(
        { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 },
        scope,
        { state: req.query.state },
      ),
    );
  });

  /** Whether one alert is in the person's scope (that of GET /alerts). */
  async function readableEvent(
    event: AlertEvent,
    credentials: BackstageCredentials,
  ) {
    const scope = await alertScope(
      event.entityRef ? [event.entityRef] : [],
      credentials,
    );
    return event.entityRef
      ? scope.entityRefs.has(event.entityRef)
      : scope.withoutEntity;
  }

  // the same scope; an alert the person may not read does not exist for them
  router.get('/alerts/:id/deliveries', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    const event = await alerts.store.getEvent(id);
    if (!event || !(await readableEvent(event, credentials))) {
      throw new NotFoundError(`No alert ${id}`);
    }
    res.json({ items: await alerts.store.deliveries(id) });
  });

  registerAckRoutes(router, {
    guard,
    acks: options.acks,
    auditor: options.auditor,
  });

  registerDeliveryRoutes(router, {
    guard,
    alerts,
    config,
    auditor: options.auditor,
    sends: options.sends,
    readable: readableEvent,
  });

  /** The person calling (the guard lets only people through these routes). */
  const person = async (req: Parameters<typeof guard.credentials>[0]) =>
    principalRef(await guard.credentials(req, ['user']));

  router.get('/rule-templates', async (_req, res) => {
    res.json({ items: rules.templates() });
  });

  router.get('/rules', async (_req, res) => {
    res.json({ items: await rules.list() });
  });

  router.post('/rules', async (req, res) => {
    const by = await person(req);
    const rule = await audited(
      options.auditor,
      {
        eventId: 'monitoring-rule-create',
        request: req,
        target: 'monitoring-rule:new',
        meta: { template: req.body.template, name: req.body.name },
        successMeta: r => ({ ruleId: r.id, version: r.version }),
      },
      () => rules.create(req.body as any, by),
    );
    res.status(201).json(rule);
  });

  router.put('/rules/:id', async (req, res) => {
    const by = await person(req);
    const id = Number(req.params.id);
    const rule = await audited(
      options.auditor,
      {
        eventId: 'monitoring-rule-update',
        request: req,
        target: `monitoring-rule:${id}`,
        meta: { template: req.body.template, name: req.body.name },
        successMeta: r => ({ version: r.version }),
      },
      () => rules.update(id, req.body as any, by),
    );
    res.json(rule);
  });

  router.delete('/rules/:id', async (req, res) => {
    const by = await person(req);
    const id = Number(req.params.id);
    await audited(
      options.auditor,
      {
        eventId: 'monitoring-rule-delete',
        request: req,
        target: `monitoring-rule:${id}`,
      },
      () => rules.delete(id, by),
    );
    res.status(204).end();
  });

  router.get('/rules/:id/versions', async (req, res) => {
    res.json({ items: await rules.versions(Number(req.params.id)) });
  });

  // owner-scoped: only opsdeck's single-entity silences (silenceEntityOf) on
  // entities the catalog shows the person; another tool's silences (no
  // entity, regexes) are nobody's to list here
  router.get('/silences', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const all = (await rules.silences()) as Array<{ matchers?: any[] }>;
    const entityOf = new Map(
      all.map(s => [s, silenceEntityOf(s.matchers ?? [])] as const),
    );
    const readable = await readableEntityRefs(
      catalog,
      [...entityOf.values()].filter((r): r is string => Boolean(r)),
      credentials,
    );
    res.json(
      all.filter(s => {
        const ref = entityOf.get(s);
        return ref !== undefined && readable.has(ref);
      }) as any,
    );
  });

  router.post('/silences', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const by = principalRef(credentials);
    // one entity the person can read in the catalog: an empty or unknown
    // value would be a matcher on something else (opsdeck_entity="" matches
    // every alert without the label)
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(parseEntityRef(req.body.entityRef.trim()));
    } catch {
      throw new InputError(`Not an entity ref: '${req.body.entityRef}'`);
    }
    await readableEntity(entityRef, credentials);
    const silenceID = await audited(
      options.auditor,
      {
        eventId: 'monitoring-silence-create',
        request: req,
        target: req.body.entityRef,
        meta: {
          alertname: req.body.alertname ?? null,
          minutes: req.body.minutes,
          comment: req.body.comment,
        },
        successMeta: id => ({ silenceID: id }),
      },
      () => rules.silence({ ...req.body, entityRef }, by),
    );
    res.status(201).json({ silenceID });
  });

  // only a silence opsdeck made for one entity the person can read (not
  // another team's silence in the same Alertmanager); refusals are audited
  router.delete('/silences/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    await audited(
      options.auditor,
      {
        eventId: 'monitoring-silence-expire',
        request: req,
        target: `monitoring-silence:${req.params.id}`,
      },
      async () => {
        const entityRef = await rules.silenceEntity(req.params.id);
        // one on an entity the person cannot read does not exist for them
        // (the same 404 as no silence, naming no entity)
        await readableEntity(entityRef, credentials).catch(() => {
          throw new NotFoundError(`No silence ${req.params.id}`);
        });
        await rules.expireSilence(req.params.id);
      },
    );
    res.status(204).end();
  });

  registerProbeRoutes(router, {
    guard,
    catalog,
    auth,
    config,
    probes,
    processes,
    auditor: options.auditor,
    readableEntity,
  });

  registerPanelRoutes(router, { guard, catalog, probes, config });
  registerOnCallRoutes(router, {
    guard,
    oncall: options.oncall,
    auditor: options.auditor,
  });

  // the fleet overview: the hosts the catalog shows the caller are chosen
  // first (read with the caller's credentials), and only they are asked of
  // Prometheus; a host the person may not read is never in a query
  router.get('/fleet', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    if (!config.prometheusUrl) {
      throw new InputError('opsdeck.monitoring.prometheus.url is not set');
    }
    const { items } = await catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': SPEC_TYPES.host },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.title',
        ],
      },
      { credentials },
    );
    const hosts = items.map(e => ({
      entityRef: stringifyEntityRef(e).toLocaleLowerCase('en-US'),
      title: e.metadata.title || e.metadata.name,
    }));
    res.json(
      (await queryFleet({
        prometheusUrl: config.prometheusUrl,
        hosts,
        limit: req.query.limit ?? 10,
        now: new Date(),
      })) as any,
    );
  });

  return router;
}
