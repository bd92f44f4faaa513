import type {
  ProbeStatus,
  ProbeStatusList,
} from '@opsdeck/plugin-monitoring-common';
import { PROBE_LABELS } from '@opsdeck/plugin-monitoring-common';
import { oneOf } from '../rules/promql';
import { prometheusQuery } from './prometheus';

/** Probe ids per PromQL matcher. */
export const PROBE_STATUS_CHUNK = 200;

type Sample = { metric: Record<string, string>; value: [number, string] };

const stateOf = (value: number): ProbeStatus['state'] => {
  if (value === 1) return 'up';
  if (value === 0) return 'down';
  return 'unknown';
};

/**
 * The PromQL for one chunk's matcher (`opsdeck_probe=~"1|2"`): the worst
 * `probe_success` of each probe (while discovery moves an edited probe, its
 * old and new target may both have a series) and when it was last scraped.
 */
export function probeStatusQueries(m: string) {
  return {
    success: `min by (${PROBE_LABELS.probe}) (probe_success{${m}})`,
    last: `max by (${PROBE_LABELS.probe}) (timestamp(probe_success{${m}}))`,
  };
}

/**
 * The state of the probes `ids` (those the caller may read) from Prometheus'
 * `probe_success` (the blackbox exporter's result, scraped through
 * `/probes/sd`): up (1), down (0), unknown without a series. Only the ids
 * asked for are named in the PromQL and answered.
 */
export async function queryProbeStatus(options: {
  prometheusUrl: string;
  ids: number[];
  now: Date;
  chunk?: number;
}): Promise<ProbeStatusList> {
  // milliseconds kept: a probe scraped for the first time a moment ago counts
  const time = options.now.getTime() / 1000;
  const size = options.chunk ?? PROBE_STATUS_CHUNK;
  const ids = [...new Set(options.ids)].sort((a, b) => a - b);
  const found = new Map<number, ProbeStatus>();
  for (let i = 0; i < ids.length; i += size) {
    const chunk = ids.slice(i, i + size);
    const wanted = new Set(chunk);
    const queries = probeStatusQueries(
      oneOf(PROBE_LABELS.probe, chunk.map(String)),
    );
    const ask = (query: string) =>
      prometheusQuery<Sample>(options.prometheusUrl, 'query', {
        query,
        time: String(time),
      });
    const [success, last] = await Promise.all([
      ask(queries.success),
      ask(queries.last),
    ]);
    const lastOf = new Map(
      last.map(s => [Number(s.metric[PROBE_LABELS.probe]), Number(s.value[1])]),
    );
    for (const s of success) {
      const id = Number(s.metric[PROBE_LABELS.probe]);
      if (!wanted.has(id)) continue;
      const value = Number(s.value[1]);
      const at = lastOf.get(id);
      found.set(id, {
        id,
        state: stateOf(value),
        ...(at !== undefined && Number.isFinite(at)
          ? { lastProbeAt: new Date(at * 1000).toISOString() }
          : {}),
      });
    }
  }
  return {
    time: options.now.toISOString(),
    items: ids.map(id => found.get(id) ?? { id, state: 'unknown' }),
  };
}
