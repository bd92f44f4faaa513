import type { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { hostFromEntity } from '@opsdeck/plugin-cmdb-common';
import {
  PROBE_LABELS,
  type Probe,
  type ProbeInput,
  type SdTargetGroup,
} from '@opsdeck/plugin-monitoring-common';
import type net from 'node:net';
import type { NewProbe, ProbeStore, StoredProbe } from '../database/ProbeStore';
import { entityLabels } from '../sd/targets';
import {
  type BlackboxPublisher,
  probeModule,
  probeTimeout,
} from './BlackboxPublisher';
import { HOST_PROBE_KINDS, parseProcessName } from './ProcessProber';
import { parseScript, parseScriptName } from './ScriptProbe';
import {
  checkReachable,
  formatInterval,
  type Lookup,
  parseInterval,
  parseTarget,
  pinnedAddress,
  pinTarget,
  resolveChecked,
} from './targets';

/** A probe as the API shows it. */
export function probeView(p: StoredProbe): Probe {
  const { intervalSeconds, ...rest } = p;
  return { ...rest, interval: formatInterval(intervalSeconds) };
}

/**
 * TCP and HTTP probes on catalog entities, run by the blackbox exporter:
 * stored, published as blackbox modules (checked by the exporter, reloaded)
 * and discovered by Prometheus (`GET /probes/sd`) with a scrape interval per
 * probe.
 */
export class ProbeService {
  constructor(
    private readonly options: {
      store: ProbeStore;
      publisher: BlackboxPublisher;
      allow: net.BlockList;
      minIntervalSeconds: number;
      lookup?: Lookup;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  async list(filter: { entityRef?: string } = {}): Promise<Probe[]> {
    return (await this.options.store.list(filter)).map(probeView);
  }

  async get(id: number): Promise<Probe> {
    const probe = await this.options.store.get(id);
    if (!probe) throw new NotFoundError(`No probe ${id}`);
    return probeView(probe);
  }

  /**
   * What a probe input stores, checked the same way for create and edit:
   * the target parsed with its grammar, the expectations of its kind, the
   * interval, and every address the target's host resolves to.
   */
  private async checked(input: ProbeInput, entity: Entity): Promise<NewProbe> {
    if (input.kind === 'process') return this.checkedProcess(input, entity);
    if (input.kind === 'script') return this.checkedScript(input, entity);
    if (input.script !== undefined || input.language !== undefined) {
      throw new InputError('Only a script probe has a script');
    }
    const { target, host } = parseTarget(input.kind, input.target);
    if (input.kind === 'tcp' && (input.expectStatus || input.bodyRegex)) {
      throw new InputError('A TCP probe has no expected status or body');
    }
    if (input.bodyRegex !== undefined && !input.bodyRegex.trim()) {
      throw new InputError('An empty body regex matches everything');
    }
    const intervalSeconds = parseInterval(
      input.interval,
      this.options.minIntervalSeconds,
    );
    await checkReachable(host, this.options.allow, this.options.lookup);
    return {
      entityRef: input.entityRef,
      kind: input.kind,
      target,
      ...(input.expectStatus ? { expectStatus: input.expectStatus } : {}),
      ...(input.bodyRegex ? { bodyRegex: input.bodyRegex } : {}),
      intervalSeconds,
    };
  }

  /**
   * A process probe: a name `pgrep -x` takes (nothing else is run), no
   * expectations, on an entity that is a catalog host (it runs there).
   */
  private checkedProcess(input: ProbeInput, entity: Entity): NewProbe {
    const target = parseProcessName(input.target);
    if (input.expectStatus || input.bodyRegex) {
      throw new InputError('A process probe has no expected status or body');
    }
    if (input.script !== undefined || input.language !== undefined) {
      throw new InputError('Only a script probe has a script');
    }
    if (!hostFromEntity(entity)) {
      throw new InputError(
        'A process probe runs on a catalog host (a Resource of type host with an address)',
      );
    }
    return {
      entityRef: input.entityRef,
      kind: 'process',
      target,
      intervalSeconds: parseInterval(
        input.interval,
        this.options.minIntervalSeconds,
      ),
    };
  }

  /**
   * A script probe: a name, the script (size, NUL, language, and parsed by
   * the bash grammar: refused when it does not parse), on an entity that is
   * a catalog host; its timeout is the probe's, at most its interval. The
   * caller has checked opsdeck.monitoring.probe.script.
   */
  private async checkedScript(
    input: ProbeInput,
    entity: Entity,
  ): Promise<NewProbe> {
    const target = parseScriptName(input.target);
    if (input.expectStatus || input.bodyRegex) {
      throw new InputError('A script probe has no expected status or body');
    }
    const intervalSeconds = parseInterval(
      input.interval,
      this.options.minIntervalSeconds,
    );
    if (!hostFromEntity(entity)) {
      throw new InputError(
        'A script probe runs on a catalog host (a Resource of type host with an address)',
      );
    }
    const { script, language } = await parseScript(
      input.script,
      input.language,
    );
    return {
      entityRef: input.entityRef,
      kind: 'script',
      target,
      script,
      language,
      intervalSeconds,
    };
  }

  /**
   * Creates a probe; the caller has checked the person reads `entity`
   * (the one `entityRef` names).
   */
  async create(input: ProbeInput, by: string, entity: Entity): Promise<Probe> {
    const created = await this.options.store.create(
      await this.checked(input, entity),
      by,
      this.now(),
      probes => this.options.publisher.publish(probes),
    );
    return probeView(created);
  }

  /**
   * Edits a probe with the checks of {@link create} (target grammar and
   * addresses, expectations, interval, the exporter's --config.check); the
   * module file is written and reloaded in the transaction that stores it.
   * The caller has checked the person reads the probe's entity and the new
   * `entityRef`.
   */
  async update(id: number, input: ProbeInput, entity: Entity): Promise<Probe> {
    const updated = await this.options.store.update(
      id,
      await this.checked(input, entity),
      probes => this.options.publisher.publish(probes),
    );
    if (!updated) throw new NotFoundError(`No probe ${id}`);
    return probeView(updated);
  }

  async delete(id: number, by: string): Promise<void> {
    const deleted = await this.options.store.delete(
      id,
      by,
      this.now(),
      probes => this.options.publisher.publish(probes),
    );
    if (!deleted) throw new NotFoundError(`No probe ${id}`);
  }

  /**
   * Writes the module file from the stored probes again (at start: modules
   * written by an older version get what this one publishes).
   */
  async republish(): Promise<void> {
    const probes = await this.options.store.list();
    if (probes.length) await this.options.publisher.publish(probes);
  }

  /**
   * Prometheus HTTP SD for the blackbox exporter (multi-target pattern):
   * the probed target as `__address__` (relabelled to `__param_target`),
   * the probe's module as `__param_module`, its interval and timeout as
   * `__scrape_interval__` / `__scrape_timeout__`, and the entity's labels.
   * Every name is resolved again at each discovery, all its addresses
   * checked, and the target published with one of them in place of the name
   * (the module keeps the name as Host header / TLS server name): the
   * exporter contacts an address opsdeck checked, whatever DNS answers it
   * later. A probe whose entity left the catalog, or whose host now resolves
   * to an address probes may not reach (or not at all), is left out.
   */
  async targetGroups(
    entityOf: (refs: string[]) => Promise<Map<string, Entity>>,
  ): Promise<SdTargetGroup[]> {
    const probes = await this.options.store.list();
    const entities = await entityOf([...new Set(probes.map(p => p.entityRef))]);
    const hosts = new Map<string, Promise<string | undefined>>();
    const addressOf = (host: string) => {
      if (!hosts.has(host)) {
        hosts.set(
          host,
          resolveChecked(host, this.options.allow, this.options.lookup).then(
            pinnedAddress,
            () => undefined,
          ),
        );
      }
      return hosts.get(host)!;
    };
    const groups: SdTargetGroup[] = [];
    for (const p of probes) {
      if ((HOST_PROBE_KINDS as readonly string[]).includes(p.kind)) continue;
      const entity = entities.get(p.entityRef);
      const labels = entity && entityLabels(entity);
      if (!labels) continue;
      let host: string;
      try {
        host = parseTarget(p.kind, p.target).host;
      } catch {
        continue;
      }
      const address = await addressOf(host);
      if (!address) continue;
      groups.push({
        targets: [pinTarget(p.kind, p.target, address)],
        labels: {
          ...labels,
          [PROBE_LABELS.probe]: String(p.id),
          [PROBE_LABELS.kind]: p.kind,
          [PROBE_LABELS.target]: p.target,
          __param_module: probeModule(p.id),
          __scrape_interval__: formatInterval(p.intervalSeconds),
          __scrape_timeout__: `${probeTimeout(p.intervalSeconds)}s`,
        },
      });
    }
    return groups;
  }

  /**
   * Prometheus HTTP SD for process and script probes (opsdeck is their
   * exporter, `GET /probes/process/metrics`): the host's name as `__address__`
   * (relabelled to `instance`; `__address__` becomes opsdeck's backend),
   * the probe id as `__param_probe`, its interval and timeout, and the
   * entity's labels. A probe whose entity left the catalog or is no host is
   * left out.
   */
  async processTargetGroups(
    entityOf: (refs: string[]) => Promise<Map<string, Entity>>,
  ): Promise<SdTargetGroup[]> {
    const probes = (await this.options.store.list()).filter(p =>
      (HOST_PROBE_KINDS as readonly string[]).includes(p.kind),
    );
    const entities = await entityOf([...new Set(probes.map(p => p.entityRef))]);
    const groups: SdTargetGroup[] = [];
    for (const p of probes) {
      const entity = entities.get(p.entityRef);
      const host = entity && hostFromEntity(entity);
      const labels = entity && entityLabels(entity);
      if (!host || !labels) continue;
      groups.push({
        targets: [host.name],
        labels: {
          ...labels,
          [PROBE_LABELS.probe]: String(p.id),
          [PROBE_LABELS.kind]: p.kind,
          [PROBE_LABELS.target]: p.target,
          __param_probe: String(p.id),
          __scrape_interval__: formatInterval(p.intervalSeconds),
          __scrape_timeout__: `${probeTimeout(p.intervalSeconds)}s`,
        },
      });
    }
    return groups;
  }
}
