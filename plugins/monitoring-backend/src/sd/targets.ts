import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  hostFromEntity,
  selectorMatches,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-common';
import {
  SD_LABELS,
  type MonitoredKind,
  type SdTargetGroup,
} from '@opsdeck/plugin-monitoring-common';

/** Annotation naming a target's exporter: `host:port`, or a port on the entity's address. */
export const EXPORTER_ANNOTATION = 'opsdeck.io/exporter';

/** Catalog `spec.type` of each monitored kind. */
export const SPEC_TYPES: Record<MonitoredKind, string> = {
  host: 'host',
  database: 'database',
  cache: 'cache',
  queue: 'queue',
};

/**
 * The metrics path of a queue target: RabbitMQ's rabbitmq_prometheus serves
 * one series per queue there (its `/metrics` aggregates them unless
 * `prometheus.return_per_object_metrics` is set).
 */
export const QUEUE_METRICS_PATH = '/metrics/per-object';

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const PORT = /^\d{1,5}$/;
const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]+|[A-Za-z0-9.-]+)$/;
const lower = (s: string) => s.toLocaleLowerCase('en-US');

function validPort(port: string): boolean {
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

/**
 * The `host:port` Prometheus scrapes for an entity: its exporter annotation
 * (`host:port`, or a port on `spec.address`), else for a host
 * `spec.address:defaultNodePort`. Undefined when there is none or it does not
 * parse (a hostile or mistyped entity gives no target, never a URL of its own).
 */
export function exporterAddress(
  entity: Entity,
  kind: MonitoredKind,
  defaultNodePort: number,
): string | undefined {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const raw = entity.metadata.annotations?.[EXPORTER_ANNOTATION]?.trim();
  let address: string | undefined;
  if (typeof spec.address === 'string' && ADDRESS.test(spec.address)) {
    const bareIpv6 =
      spec.address.includes(':') && !spec.address.startsWith('[');
    address = bareIpv6 ? `[${spec.address}]` : spec.address;
  }
  if (raw) {
    if (HOST_PORT.test(raw) && validPort(raw.slice(raw.lastIndexOf(':') + 1)))
      return raw;
    if (PORT.test(raw) && validPort(raw) && address) return `${address}:${raw}`;
    return undefined;
  }
  if (kind === 'host' && address) return `${address}:${defaultNodePort}`;
  return undefined;
}

/** The entity as cmdb-common describes a host (owner, system, environment). */
function describe(entity: Entity) {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  // hostFromEntity reads owner, system and environment the one way opsdeck
  // does for hosts; databases, caches and anything probed (also a service,
  // a Component) are read the same way.
  return hostFromEntity({
    ...entity,
    kind: 'Resource',
    spec: { ...spec, type: 'host', address: spec.address || '-' },
  });
}

function matchesSelector(entity: Entity, selector: HostSelector): boolean {
  const described = describe(entity);
  return Boolean(described && selectorMatches(selector, described));
}

/**
 * The SD labels of an entity: its ref, name, owner, system and environment
 * (undefined when it cannot be read as cmdb-common reads hosts).
 */
export function entityLabels(
  entity: Entity,
): Record<string, string> | undefined {
  const described = describe(entity);
  if (!described) return undefined;
  const labels: Record<string, string> = {
    [SD_LABELS.entity]: lower(stringifyEntityRef(entity)),
    [SD_LABELS.name]: entity.metadata.name,
  };
  if (described.owner) labels[SD_LABELS.owner] = described.owner;
  if (described.system) labels[SD_LABELS.system] = described.system;
  if (described.environment) {
    labels[SD_LABELS.environment] = described.environment;
  }
  return labels;
}

/**
 * Prometheus HTTP SD target groups for the catalog entities of one kind: one
 * group per entity (its exporter address) labelled with the entity ref,
 * name, kind, owner, system, environment (and engine for databases,
 * caches and queues; a queue's metrics path, `__metrics_path__`). Entities the selector does not match, or without an exporter
 * address, are left out. Sorted by entity ref.
 */
export function targetGroups(
  entities: Entity[],
  kind: MonitoredKind,
  options: { defaultNodePort: number; selector?: HostSelector },
): SdTargetGroup[] {
  const groups: Array<SdTargetGroup & { ref: string }> = [];
  for (const entity of entities) {
    const spec = (entity.spec ?? {}) as Record<string, unknown>;
    if (lower(entity.kind) !== 'resource' || spec.type !== SPEC_TYPES[kind]) {
      continue;
    }
    if (options.selector && !matchesSelector(entity, options.selector)) {
      continue;
    }
    const target = exporterAddress(entity, kind, options.defaultNodePort);
    const labels = entityLabels(entity);
    if (!target || !labels) continue;
    labels[SD_LABELS.kind] = kind;
    if (kind !== 'host' && typeof spec.engine === 'string' && spec.engine) {
      labels[SD_LABELS.engine] = lower(spec.engine);
    }
    if (kind === 'queue') labels.__metrics_path__ = QUEUE_METRICS_PATH;
    const ref = labels[SD_LABELS.entity];
    groups.push({ ref, targets: [target], labels });
  }
  return groups
    .sort((a, b) => a.ref.localeCompare(b.ref))
    .map(({ targets, labels }) => ({ targets, labels }));
}
