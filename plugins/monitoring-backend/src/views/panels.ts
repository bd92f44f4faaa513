import { InputError } from '@backstage/errors';
import type {
  MetricsRange,
  PanelData,
  PanelId,
  PanelUnit,
} from '@opsdeck/plugin-monitoring-common';
import { matcher } from '../rules/promql';
import { prometheusQuery } from './prometheus';

/**
 * The fixed panels of a Monitoring tab. The only variable part of their
 * PromQL is the entity matcher, an escaped string literal: callers never
 * send PromQL.
 */
export interface PanelDefinition {
  id: PanelId;
  unit: PanelUnit;
  /** The probe a service's panel charts (answered with the panel). */
  probe?: PanelData['probe'];
  queries: Array<{ legend: string; expr: (e: string, w: string) => string }>;
}

const FS = 'fstype!~"tmpfs|overlay|squashfs|ramfs"';

export const HOST_PANELS: PanelDefinition[] = [
  {
    id: 'cpu',
    unit: 'percent',
    queries: [
      {
        legend: 'cpu',
        expr: (e, w) =>
          `100 * (1 - avg by (opsdeck_entity) (rate(node_cpu_seconds_total{${e},mode="idle"}[${w}])))`,
      },
    ],
  },
  {
    id: 'memory',
    unit: 'percent',
    queries: [
      {
        legend: 'memory',
        expr: e =>
          `100 * (1 - node_memory_MemAvailable_bytes{${e}} / node_memory_MemTotal_bytes{${e}})`,
      },
    ],
  },
  {
    id: 'disk',
    unit: 'percent',
    queries: [
      {
        legend: 'mountpoint',
        expr: e =>
          `100 * (1 - node_filesystem_avail_bytes{${e},${FS}} / node_filesystem_size_bytes{${e},${FS}})`,
      },
    ],
  },
  {
    id: 'network',
    unit: 'bytesPerSecond',
    queries: [
      {
        legend: 'receive',
        expr: (e, w) =>
          `sum by (opsdeck_entity) (rate(node_network_receive_bytes_total{${e},device!="lo"}[${w}]))`,
      },
      {
        legend: 'transmit',
        expr: (e, w) =>
          `sum by (opsdeck_entity) (rate(node_network_transmit_bytes_total{${e},device!="lo"}[${w}]))`,
      },
    ],
  },
  {
    id: 'load',
    unit: 'load',
    queries: [
      { legend: 'load1', expr: e => `node_load1{${e}}` },
      { legend: 'load5', expr: e => `node_load5{${e}}` },
    ],
  },
  {
    id: 'up',
    unit: 'up',
    queries: [{ legend: 'up', expr: e => `up{${e}}` }],
  },
];

/** Time span, step and rate window of each range. */
export const RANGES: Record<
  MetricsRange,
  { seconds: number; step: number; window: string }
> = {
  '1h': { seconds: 3600, step: 15, window: '1m' },
  '6h': { seconds: 6 * 3600, step: 60, window: '5m' },
  '24h': { seconds: 86400, step: 300, window: '10m' },
  '7d': { seconds: 7 * 86400, step: 1800, window: '1h' },
};

/** A series' name: its legend, or the mount point / queue it is of. */
function seriesName(legend: string, metric: Record<string, string>) {
  if (legend === 'mountpoint') return metric.mountpoint ?? 'disk';
  if (legend === 'queue') {
    if (!metric.queue) return 'queue';
    return metric.vhost && metric.vhost !== '/'
      ? `${metric.vhost}/${metric.queue}`
      : metric.queue;
  }
  return legend;
}

/** Queries every panel of an entity over a range with Prometheus' query_range. */
export async function queryPanels(options: {
  prometheusUrl: string;
  entityRef: string;
  /** The entity's panels (default: a host's). */
  panels?: PanelDefinition[];
  range: MetricsRange;
  now: Date;
}): Promise<PanelData[]> {
  const range = RANGES[options.range];
  if (!range) throw new InputError(`No range ${options.range}`);
  const e = matcher('opsdeck_entity', '=', options.entityRef);
  const end = Math.floor(options.now.getTime() / 1000);
  const start = end - range.seconds;
  return Promise.all(
    (options.panels ?? HOST_PANELS).map(async panel => ({
      id: panel.id,
      unit: panel.unit,
      ...(panel.probe ? { probe: panel.probe } : {}),
      series: (
        await Promise.all(
          panel.queries.map(async q => {
            const result = await prometheusQuery<{
              metric: Record<string, string>;
              values: Array<[number, string]>;
            }>(options.prometheusUrl, 'query_range', {
              query: q.expr(e, range.window),
              start: String(start),
              end: String(end),
              step: String(range.step),
            });
            return result.map(r => ({
              name: seriesName(q.legend, r.metric),
              // a ratio over nothing (a hit rate without requests) is NaN: no point
              points: r.values
                .map(([t, v]) => [t * 1000, Number(v)] as [number, number])
                .filter(([, v]) => Number.isFinite(v)),
            }));
          }),
        )
      ).flat(),
    })),
  );
}
