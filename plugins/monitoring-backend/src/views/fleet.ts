import type {
  FleetDownEntry,
  FleetEntry,
  FleetOverview,
} from '@opsdeck/plugin-monitoring-common';
import { oneOf } from '../rules/promql';
import { HOST_PANELS } from './panels';
import { prometheusQuery } from './prometheus';

/** Entity refs per PromQL matcher: a large fleet is asked in chunks. */
export const FLEET_CHUNK = 100;
/** Chunks asked at once (each is 4 queries): 4 chunks, 16 queries in flight. */
export const FLEET_PARALLEL = 4;
/** The rate window of the CPU figure. */
const CPU_WINDOW = '5m';

/** A host the caller may read: lower-case entity ref and display title. */
export interface FleetHost {
  entityRef: string;
  title: string;
}

const panelExpr = (id: string, e: string, w: string) =>
  HOST_PANELS.find(p => p.id === id)!.queries[0].expr(e, w);

/**
 * The fleet's PromQL for one chunk's matcher (`opsdeck_entity=~"a|b"`, every
 * ref regex-escaped): the host panels' own expressions, reduced to one value
 * per entity and its top `limit`.
 */
export function fleetQueries(e: string, limit: number) {
  return {
    cpu: `topk(${limit}, ${panelExpr('cpu', e, CPU_WINDOW)})`,
    memory: `topk(${limit}, max by (opsdeck_entity) (${panelExpr(
      'memory',
      e,
      CPU_WINDOW,
    )}))`,
    disk: `topk(${limit}, max by (opsdeck_entity) (${panelExpr(
      'disk',
      e,
      CPU_WINDOW,
    )}))`,
    down: `up{${e}} == 0`,
  };
}

type Sample = { metric: Record<string, string>; value: [number, string] };

/**
 * The top `limit` hosts by CPU, memory and disk use, and the hosts that are
 * down, among `hosts` only (the caller's readable hosts): every query names
 * exactly those entities, at most {@link FLEET_CHUNK} per query.
 */
export async function queryFleet(options: {
  prometheusUrl: string;
  hosts: FleetHost[];
  limit: number;
  now: Date;
  chunk?: number;
}): Promise<FleetOverview> {
  const { hosts, limit } = options;
  const time = Math.floor(options.now.getTime() / 1000);
  const titles = new Map(hosts.map(h => [h.entityRef, h.title]));
  const size = options.chunk ?? FLEET_CHUNK;
  const top: Record<'cpu' | 'memory' | 'disk', FleetEntry[]> = {
    cpu: [],
    memory: [],
    disk: [],
  };
  const down: FleetDownEntry[] = [];
  const refs = [...titles.keys()].sort();
  const ask = (query: string) =>
    prometheusQuery<Sample>(options.prometheusUrl, 'query', {
      query,
      time: String(time),
    });
  const chunks: string[][] = [];
  for (let i = 0; i < refs.length; i += size) {
    chunks.push(refs.slice(i, i + size));
  }
  // the chunks are asked FLEET_PARALLEL at a time (each its 4 queries at
  // once): one after another, 500 hosts cost 5 round trips in a row
  const answers: Sample[][][] = [];
  for (let i = 0; i < chunks.length; i += FLEET_PARALLEL) {
    answers.push(
      ...(await Promise.all(
        chunks.slice(i, i + FLEET_PARALLEL).map(chunk => {
          const queries = fleetQueries(oneOf('opsdeck_entity', chunk), limit);
          return Promise.all([
            ask(queries.cpu),
            ask(queries.memory),
            ask(queries.disk),
            ask(queries.down),
          ]);
        }),
      )),
    );
  }
  for (const [cpu, memory, disk, up] of answers) {
    for (const [id, samples] of [
      ['cpu', cpu],
      ['memory', memory],
      ['disk', disk],
    ] as const) {
      for (const s of samples) {
        const ref = s.metric.opsdeck_entity;
        const value = Number(s.value[1]);
        // only the entities asked for, whatever Prometheus answers
        if (!titles.has(ref) || !Number.isFinite(value)) continue;
        top[id].push({ entityRef: ref, title: titles.get(ref)!, value });
      }
    }
    for (const s of up) {
      const ref = s.metric.opsdeck_entity;
      if (!titles.has(ref)) continue;
      down.push({
        entityRef: ref,
        title: titles.get(ref)!,
        ...(s.metric.instance ? { instance: s.metric.instance } : {}),
      });
    }
  }
  const best = (list: FleetEntry[]) =>
    list
      .sort(
        (a, b) => b.value - a.value || a.entityRef.localeCompare(b.entityRef),
      )
      .slice(0, limit);
  return {
    time: new Date(time * 1000).toISOString(),
    hosts: hosts.length,
    limit,
    cpu: best(top.cpu),
    memory: best(top.memory),
    disk: best(top.disk),
    down: down.sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
  };
}
