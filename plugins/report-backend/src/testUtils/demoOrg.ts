import type { Entity } from '@backstage/catalog-model';

/**
 * The demo org (examples/org.yaml) in small: who is in which team, and the
 * opsdeck permissions their roles get for the report (grants.ts).
 */
export const DEMO_USERS: Record<
  string,
  { groups: string[]; permissions: string[] }
> = {
  alice: {
    groups: ['admins', 'ops'],
    permissions: [
      'opsdeck.report.read',
      'opsdeck.report.edit',
      'opsdeck.report.manage',
    ],
  },
  bob: {
    groups: ['ops'],
    permissions: ['opsdeck.report.read', 'opsdeck.report.edit'],
  },
  carol: {
    groups: ['dba'],
    permissions: ['opsdeck.report.read', 'opsdeck.report.edit'],
  },
  dave: {
    groups: ['dev'],
    permissions: ['opsdeck.report.read', 'opsdeck.report.edit'],
  },
  erin: { groups: ['security'], permissions: ['opsdeck.report.read'] },
  mallory: { groups: [], permissions: [] },
};

/** Catalog users and team groups of {@link DEMO_USERS}, with relations. */
export function demoOrgEntities(extra: Entity[] = []): Entity[] {
  const teams = ['admins', 'ops', 'dba', 'dev', 'security'];
  const users: Entity[] = Object.entries(DEMO_USERS)
    .filter(([name]) => name !== 'mallory')
    .map(([name, u]) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name, namespace: 'default' },
      spec: {
        profile: { email: `${name}@opsdeck.example` },
        memberOf: u.groups,
      },
      relations: u.groups.map(g => ({
        type: 'memberOf',
        targetRef: `group:default/${g}`,
      })),
    }));
  const groups: Entity[] = teams.map(team => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: team, namespace: 'default', title: `Team ${team}` },
    spec: { type: 'team', children: [] },
    relations: Object.entries(DEMO_USERS)
      .filter(([, u]) => u.groups.includes(team))
      .map(([name]) => ({
        type: 'hasMember',
        targetRef: `user:default/${name}`,
      })),
  }));
  return [...users, ...groups, ...extra];
}
