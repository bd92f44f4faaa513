import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Probe } from '@opsdeck/plugin-monitoring-common';
import { monitoringProbeScriptPermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  principalRef,
  type createRequestGuard,
} from '@opsdeck/plugin-opsdeck-node';
import type { Request } from 'express';
import type { MonitoringConfig } from '../config';
import type { ProbeService } from '../probes/ProbeService';
import type { ProcessProber } from '../probes/ProcessProber';
import { scriptHash } from '../probes/ScriptProbe';
import type { createOpenApiRouter } from '../schema/openapi.generated';
import { queryProbeStatus } from '../views/probeStatus';
import { readableEntityRefs } from './entityScope';

/** What an audit event holds of a script: its hash and language, not its text. */
function scriptMeta(body: { script?: unknown; language?: unknown }) {
  if (typeof body?.script !== 'string') return {};
  return {
    scriptSha256: scriptHash(body.script),
    language: String(body.language ?? 'sh'),
  };
}

/** A probe as audited: a script probe's script as its hash. */
function auditedProbe(p: Probe) {
  const { script, ...rest } = p;
  return script === undefined
    ? { ...rest }
    : { ...rest, scriptSha256: scriptHash(script) };
}

/**
 * The probe routes: the list and states (owner-scoped), create, edit and
 * delete (audited with the person as actor, refusals too), and the SD and
 * metrics routes Prometheus reads with its token. The guard has checked
 * each operation's permission (src/schema/access.ts); a script probe also
 * needs opsdeck.monitoring.probe.script, checked first in the route (403
 * before anything is read or stored).
 */
export function registerProbeRoutes(
  router: Awaited<ReturnType<typeof createOpenApiRouter>>,
  options: {
    guard: ReturnType<typeof createRequestGuard>;
    catalog: CatalogService;
    auth: AuthService;
    config: MonitoringConfig;
    probes: ProbeService;
    processes: ProcessProber;
    auditor: AuditorService;
    /** The entity as the catalog shows it to the person; 404 if it does not. */
    readableEntity: (
      entityRef: string,
      credentials: BackstageCredentials,
    ) => Promise<Entity>;
  },
) {
  const { guard, catalog, auth, config, probes, processes, readableEntity } =
    options;

  /** 403 unless the person may create and edit script probes. */
  const authorizeScript = (req: Request<any, any, any, any, any>) =>
    guard.authorize(req, monitoringProbeScriptPermission, {
      allow: ['user'],
      what: 'create or edit script probes',
    });

  /** A full, lower-case entity ref; InputError when it is not one. */
  const entityRefOf = (raw: string) => {
    try {
      return stringifyEntityRef(parseEntityRef(raw.trim())).toLocaleLowerCase(
        'en-US',
      );
    } catch {
      throw new InputError(`Not an entity ref: '${raw}'`);
    }
  };

  /** The entity ref of a request as audited: normalised when it parses. */
  const auditRef = (raw: unknown) => {
    try {
      return entityRefOf(String(raw));
    } catch {
      return String(raw ?? '').slice(0, 300);
    }
  };

  /**
   * A probe whose entity the catalog shows the person; one on an entity they
   * cannot read does not exist for them (the same 404, naming no entity).
   */
  async function readableProbe(id: number, credentials: BackstageCredentials) {
    const probe = await probes.get(id);
    await readableEntity(probe.entityRef, credentials).catch(() => {
      throw new NotFoundError(`No probe ${id}`);
    });
    return probe;
  }

  // Prometheus has no catalog identity: the plugin reads the probed
  // entities with its own credentials (the SD permission is the gate)
  const entitiesAsPlugin = async (refs: string[]) => {
    const found = new Map<string, Entity>();
    if (!refs.length) return found;
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: refs },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    refs.forEach((ref, i) => {
      if (items[i]) found.set(ref, items[i]!);
    });
    return found;
  };

  router.get('/probes/sd', async (_req, res) => {
    res.json(await probes.targetGroups(entitiesAsPlugin));
  });

  router.get('/probes/process/sd', async (_req, res) => {
    res.json(await probes.processTargetGroups(entitiesAsPlugin));
  });

  // opsdeck as the exporter of process probes (Prometheus' SD token)
  router.get('/probes/process/metrics', async (req, res) => {
    const id = Number(req.query.probe);
    res
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(await processes.metrics(id));
  });

  /** Owner-scoped like the silences: probes on entities the person reads. */
  async function readableProbes(
    credentials: BackstageCredentials,
    entityRef?: string,
  ) {
    const all = await probes.list(
      entityRef ? { entityRef: entityRefOf(entityRef) } : {},
    );
    const readable = await readableEntityRefs(
      catalog,
      all.map(p => p.entityRef),
      credentials,
    );
    return all.filter(p => readable.has(p.entityRef));
  }

  router.get('/probes', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    res.json({ items: await readableProbes(credentials, req.query.entityRef) });
  });

  // probe_success of the probes the person reads (only their ids are named
  // in the PromQL)
  router.get('/probes/status', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    if (!config.prometheusUrl) {
      throw new InputError('opsdeck.monitoring.prometheus.url is not set');
    }
    const readable = await readableProbes(credentials);
    res.json(
      await queryProbeStatus({
        prometheusUrl: config.prometheusUrl,
        ids: readable.map(p => p.id),
        now: new Date(),
      }),
    );
  });

  router.post('/probes', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    // running code on hosts: the stronger permission before anything else
    if (req.body.kind === 'script') await authorizeScript(req);
    const by = principalRef(credentials);
    // the entity checks inside the audited call: a refusal is audited too
    const probe = await audited(
      options.auditor,
      {
        eventId: 'monitoring-probe-create',
        request: req,
        target: auditRef(req.body.entityRef),
        meta: {
          kind: req.body.kind,
          target: req.body.target,
          interval: req.body.interval,
          ...scriptMeta(req.body),
        },
        successMeta: p => ({ probeId: p.id }),
      },
      async () => {
        const entityRef = entityRefOf(req.body.entityRef);
        const entity = await readableEntity(entityRef, credentials);
        return probes.create({ ...req.body, entityRef }, by, entity);
      },
    );
    res.status(201).json(probe);
  });

  // the checks of a create (entity read by the person, target grammar and
  // addresses, the exporter's check) on the new values; a probe on an entity
  // the person cannot read does not exist for them. Audited with the probe
  // before and after (refusals too).
  router.put('/probes/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    // a probe becoming or being a script probe: the stronger permission
    // before anything is written. Becoming one: checked before anything is
    // read. Being one: the stored kind is read, and told (by a 403) only to
    // someone who sees the probe's entity; for anyone else the probe does
    // not exist (the audited 404 below), whatever its kind.
    const stored =
      req.body.kind === 'script'
        ? undefined
        : await probes.get(id).catch(() => undefined);
    if (
      req.body.kind === 'script' ||
      (stored?.kind === 'script' &&
        (await readableEntity(stored.entityRef, credentials).then(
          () => true,
          () => false,
        )))
    ) {
      await authorizeScript(req);
    }
    const { after } = await audited(
      options.auditor,
      {
        eventId: 'monitoring-probe-update',
        request: req,
        target: `monitoring-probe:${id}`,
        meta: {
          entityRef: auditRef(req.body.entityRef),
          kind: req.body.kind,
          target: req.body.target,
          interval: req.body.interval,
          ...scriptMeta(req.body),
        },
        successMeta: r => ({
          probeId: id,
          before: auditedProbe(r.before),
          after: auditedProbe(r.after),
        }),
      },
      async () => {
        const entityRef = entityRefOf(req.body.entityRef);
        const before = await readableProbe(id, credentials);
        const entity = await readableEntity(entityRef, credentials);
        return {
          before,
          after: await probes.update(id, { ...req.body, entityRef }, entity),
        };
      },
    );
    res.json(after);
  });

  router.delete('/probes/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const by = principalRef(credentials);
    const id = Number(req.params.id);
    await audited(
      options.auditor,
      {
        eventId: 'monitoring-probe-delete',
        request: req,
        target: `monitoring-probe:${id}`,
        successMeta: p => ({ probe: auditedProbe(p) }),
      },
      async () => {
        const probe = await readableProbe(id, credentials);
        await probes.delete(id, by);
        return probe;
      },
    );
    res.status(204).end();
  });
}
