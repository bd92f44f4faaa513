import type { Entity } from '@backstage/catalog-model';
import {
  PANEL_ENGINES,
  type PanelEngine,
} from '@opsdeck/plugin-monitoring-common';
import type { PanelDefinition } from './panels';

/**
 * The panels of databases and caches, on the metric names of the Debian
 * exporters (checked against their real /metrics output):
 * prometheus-postgres-exporter 0.11, prometheus-mysqld-exporter 0.14 (MySQL
 * and MariaDB), prometheus-redis-exporter 1.45. `e` is the entity matcher
 * (an escaped literal), `w` the rate window of the range.
 */
const by = (expr: string) => `sum by (opsdeck_entity) (${expr})`;

const POSTGRESQL: PanelDefinition[] = [
  {
    id: 'connections',
    unit: 'count',
    queries: [
      {
        legend: 'connections',
        expr: e => by(`pg_stat_database_numbackends{${e}}`),
      },
      {
        legend: 'max',
        expr: e =>
          `max by (opsdeck_entity) (pg_settings_max_connections{${e}})`,
      },
    ],
  },
  {
    id: 'transactions',
    unit: 'perSecond',
    queries: [
      {
        legend: 'commit',
        expr: (e, w) => by(`rate(pg_stat_database_xact_commit{${e}}[${w}])`),
      },
      {
        legend: 'rollback',
        expr: (e, w) => by(`rate(pg_stat_database_xact_rollback{${e}}[${w}])`),
      },
    ],
  },
  {
    // a replica's lag: pg_replication_lag_seconds (exporter >= 0.12) or
    // pg_replication_lag (0.11 with exporters/postgres-queries.yaml: replicas
    // only, 0 when caught up); tested in replicationLag.integration.test.ts
    id: 'replicationLag',
    unit: 'seconds',
    queries: [
      {
        legend: 'lag',
        expr: e =>
          `max by (opsdeck_entity) (pg_replication_lag_seconds{${e}} or pg_replication_lag{${e}})`,
      },
    ],
  },
  {
    id: 'deadlocks',
    unit: 'count',
    queries: [
      {
        legend: 'deadlocks',
        expr: (e, w) => by(`increase(pg_stat_database_deadlocks{${e}}[${w}])`),
      },
    ],
  },
  {
    id: 'up',
    unit: 'up',
    queries: [{ legend: 'up', expr: e => `pg_up{${e}}` }],
  },
];

const MYSQL: PanelDefinition[] = [
  {
    id: 'connections',
    unit: 'count',
    queries: [
      {
        legend: 'connections',
        expr: e => `mysql_global_status_threads_connected{${e}}`,
      },
      {
        legend: 'max',
        expr: e => `mysql_global_variables_max_connections{${e}}`,
      },
    ],
  },
  {
    id: 'queries',
    unit: 'perSecond',
    queries: [
      {
        legend: 'queries',
        expr: (e, w) => `rate(mysql_global_status_queries{${e}}[${w}])`,
      },
    ],
  },
  {
    id: 'slowQueries',
    unit: 'count',
    queries: [
      {
        legend: 'slow',
        expr: (e, w) =>
          `increase(mysql_global_status_slow_queries{${e}}[${w}])`,
      },
    ],
  },
  {
    // only a replica has it
    id: 'replicationLag',
    unit: 'seconds',
    queries: [
      {
        legend: 'lag',
        expr: e => `mysql_slave_status_seconds_behind_master{${e}}`,
      },
    ],
  },
  {
    id: 'up',
    unit: 'up',
    queries: [{ legend: 'up', expr: e => `mysql_up{${e}}` }],
  },
];

const REDIS: PanelDefinition[] = [
  {
    id: 'memory',
    unit: 'bytes',
    queries: [
      { legend: 'used', expr: e => `redis_memory_used_bytes{${e}}` },
      // maxmemory 0 is "no limit": no line
      { legend: 'max', expr: e => `redis_memory_max_bytes{${e}} > 0` },
    ],
  },
  {
    id: 'hitRate',
    unit: 'percent',
    queries: [
      {
        legend: 'hitRate',
        expr: (e, w) =>
          `100 * rate(redis_keyspace_hits_total{${e}}[${w}]) / (rate(redis_keyspace_hits_total{${e}}[${w}]) + rate(redis_keyspace_misses_total{${e}}[${w}]))`,
      },
    ],
  },
  {
    id: 'evictions',
    unit: 'perSecond',
    queries: [
      {
        legend: 'evictions',
        expr: (e, w) => `rate(redis_evicted_keys_total{${e}}[${w}])`,
      },
    ],
  },
  {
    id: 'clients',
    unit: 'count',
    queries: [
      { legend: 'clients', expr: e => `redis_connected_clients{${e}}` },
    ],
  },
  {
    id: 'up',
    unit: 'up',
    queries: [{ legend: 'up', expr: e => `redis_up{${e}}` }],
  },
];

/**
 * A message queue's panels on RabbitMQ's own rabbitmq_prometheus metrics
 * (3.10, scraped at /metrics/per-object: one series per queue): messages
 * ready and unacknowledged, the deepest queues, consumers, publish and
 * deliver rates, connections. The plugin has no `_up` metric: the scrape's.
 */
const RABBITMQ: PanelDefinition[] = [
  {
    id: 'messages',
    unit: 'count',
    queries: [
      { legend: 'ready', expr: e => by(`rabbitmq_queue_messages_ready{${e}}`) },
      {
        legend: 'unacked',
        expr: e => by(`rabbitmq_queue_messages_unacked{${e}}`),
      },
    ],
  },
  {
    // one line per queue (named by it), the ten deepest
    id: 'queueDepth',
    unit: 'count',
    queries: [
      {
        legend: 'queue',
        expr: e =>
          `topk(10, sum by (opsdeck_entity, vhost, queue) (rabbitmq_queue_messages_ready{${e}}))`,
      },
    ],
  },
  {
    id: 'consumers',
    unit: 'count',
    queries: [
      { legend: 'consumers', expr: e => by(`rabbitmq_consumers{${e}}`) },
    ],
  },
  {
    id: 'messageRates',
    unit: 'perSecond',
    queries: [
      {
        legend: 'publish',
        expr: (e, w) =>
          by(`rate(rabbitmq_global_messages_received_total{${e}}[${w}])`),
      },
      {
        legend: 'deliver',
        expr: (e, w) =>
          by(`rate(rabbitmq_global_messages_delivered_total{${e}}[${w}])`),
      },
    ],
  },
  {
    id: 'connections',
    unit: 'count',
    queries: [
      { legend: 'connections', expr: e => by(`rabbitmq_connections{${e}}`) },
    ],
  },
  {
    id: 'up',
    unit: 'up',
    queries: [{ legend: 'up', expr: e => `up{${e}}` }],
  },
];

/** The panels of each engine. */
export const STORE_PANELS: Record<PanelEngine, PanelDefinition[]> = {
  postgresql: POSTGRESQL,
  mysql: MYSQL,
  mariadb: MYSQL,
  redis: REDIS,
  rabbitmq: RABBITMQ,
};

/**
 * The engine of a database, cache or queue entity (`spec.engine`,
 * lower-case) when opsdeck has panels for it: a database's or cache's engine
 * is not a queue's, nor the other way round.
 */
export function panelEngine(entity: Entity): PanelEngine | undefined {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (
    spec.type !== 'database' &&
    spec.type !== 'cache' &&
    spec.type !== 'queue'
  ) {
    return undefined;
  }
  const engine =
    typeof spec.engine === 'string'
      ? spec.engine.toLocaleLowerCase('en-US')
      : '';
  if (!Object.prototype.hasOwnProperty.call(PANEL_ENGINES, engine)) {
    return undefined;
  }
  return (spec.type === 'queue') === (engine === 'rabbitmq')
    ? (engine as PanelEngine)
    : undefined;
}
