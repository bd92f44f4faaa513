import type { Entity } from '@backstage/catalog-model';
import {
  PROBED_COMPONENT_TYPES,
  type Probe,
} from '@opsdeck/plugin-monitoring-common';
import { matcher } from '../rules/promql';
import type { PanelDefinition } from './panels';

/**
 * True for the catalog components whose Monitoring tab charts their probes:
 * `Component` of `spec.type` service or website.
 */
export function isProbedComponent(entity: Entity): boolean {
  const type = (entity.spec as { type?: unknown } | undefined)?.type;
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (PROBED_COMPONENT_TYPES as readonly unknown[]).includes(type)
  );
}

/**
 * The fixed panels of one probe, from the series the blackbox exporter (or
 * opsdeck's process exporter) answers for it: success, duration and, for
 * HTTP, the status code. Besides the entity matcher, the only variable part
 * is the probe's id as an escaped label value. Aggregated by probe so that
 * an edited probe whose old and new target still both have a series is one
 * line (success: the worst of them, as `GET /probes/status` counts it).
 */
export function probePanels(probe: Probe): PanelDefinition[] {
  const p = matcher('opsdeck_probe', '=', String(probe.id));
  const of = { id: probe.id, kind: probe.kind, target: probe.target };
  const panels: PanelDefinition[] = [
    {
      id: 'probeSuccess',
      unit: 'up',
      probe: of,
      queries: [
        {
          legend: 'success',
          expr: e => `min by (opsdeck_probe) (probe_success{${e},${p}})`,
        },
      ],
    },
    {
      id: 'probeDuration',
      unit: 'seconds',
      probe: of,
      queries: [
        {
          legend: 'duration',
          expr: e =>
            `max by (opsdeck_probe) (probe_duration_seconds{${e},${p}})`,
        },
      ],
    },
  ];
  if (probe.kind === 'http') {
    panels.push({
      id: 'probeStatusCode',
      unit: 'statusCode',
      probe: of,
      queries: [
        {
          legend: 'status',
          expr: e =>
            `max by (opsdeck_probe) (probe_http_status_code{${e},${p}})`,
        },
      ],
    });
  }
  return panels;
}
