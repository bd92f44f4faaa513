import type { Entity } from '@backstage/catalog-model';
import type { RuleTemplateSummary } from '@opsdeck/plugin-monitoring-common';

/** The templates the backend lists (GET /rule-templates). */
export const TEMPLATES: RuleTemplateSummary[] = [
  { id: 'host-down', alert: 'HostDown', defaultFor: '1m' },
  { id: 'disk-full', alert: 'DiskFull', threshold: 90, defaultFor: '5m' },
  {
    id: 'db-connections-saturated',
    alert: 'DatabaseConnectionsSaturated',
    threshold: 90,
    defaultFor: '5m',
  },
  { id: 'probe-failing', alert: 'ProbeFailing', defaultFor: '1m' },
];

/** Catalog entities the pickers offer: two hosts and a component (not offered). */
export const ENTITIES: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'web-01', namespace: 'default' },
    spec: { type: 'host' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'db-01', namespace: 'default', title: 'Main DB' },
    spec: { type: 'database' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { type: 'service' },
  },
  // the on-call pickers: groups and their members
  ...['ops', 'dev'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  })),
  ...(
    [
      ['olga', 'ops', 'Olga Petrova'],
      ['erin', 'ops', 'Erin Wu'],
      ['dave', 'dev', 'Dave Li'],
    ] as const
  ).map(([name, group, displayName]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { displayName }, memberOf: [group] },
    relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
  })),
];

/** An error as the API client throws it for a backend error answer. */
export function responseError(status: number, message: string): Error {
  return Object.assign(new Error(`Request failed with ${status}`), {
    statusCode: status,
    body: { error: { name: 'InputError', message } },
  });
}
