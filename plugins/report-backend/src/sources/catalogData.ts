import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Recipient, Team } from '../model';

/** What the report needs from the catalog, read once per run. */
export interface CatalogSnapshot {
  teams: Team[];
  /** user ref -> mail address */
  emails: Map<string, string>;
  /** user ref -> group refs the user is a direct member of */
  memberships: Map<string, string[]>;
  /** Entity refs of hosts and other resources in a prod environment. */
  prodEntities: Set<string>;
  /** Title of the organization (org-wide reports). */
  orgTitle: string;
}

function refsOf(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
}

function environmentOf(entity: Entity): string | undefined {
  const spec = entity.spec as { environment?: unknown } | undefined;
  if (typeof spec?.environment === 'string') return spec.environment;
  return entity.metadata.labels?.['opsdeck.io/environment'];
}

/** Reads teams, members' addresses and prod entities from the catalog. */
export async function readCatalog(
  catalog: CatalogService,
  auth: AuthService,
  options: {
    teamTypes: string[];
    prodEnvironments: string[];
    orgTitle: string;
  },
): Promise<CatalogSnapshot> {
  const credentials = await auth.getOwnServiceCredentials();
  const [groups, users, resources] = await Promise.all([
    catalog.getEntities(
      {
        filter: { kind: 'Group' },
        fields: ['kind', 'metadata', 'spec.type', 'spec.profile', 'relations'],
      },
      { credentials },
    ),
    catalog.getEntities(
      {
        filter: { kind: 'User' },
        fields: ['kind', 'metadata', 'spec.profile', 'relations'],
      },
      { credentials },
    ),
    catalog.getEntities(
      {
        filter: { kind: 'Resource' },
        fields: ['kind', 'metadata', 'spec.environment'],
      },
      { credentials },
    ),
  ]);

  const emails = new Map<string, string>();
  const memberships = new Map<string, string[]>();
  for (const user of users.items) {
    const ref = stringifyEntityRef(user).toLocaleLowerCase('en-US');
    const email = (user.spec as { profile?: { email?: unknown } } | undefined)
      ?.profile?.email;
    if (typeof email === 'string' && email.includes('@')) {
      emails.set(ref, email);
    }
    memberships.set(ref, refsOf(user, RELATION_MEMBER_OF));
  }

  const teams: Team[] = [];
  for (const group of groups.items) {
    const type = (group.spec as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string' || !options.teamTypes.includes(type)) {
      continue;
    }
    const ref = stringifyEntityRef(group).toLocaleLowerCase('en-US');
    const displayName = (
      group.spec as { profile?: { displayName?: unknown } } | undefined
    )?.profile?.displayName;
    teams.push({
      ref,
      title:
        group.metadata.title ??
        (typeof displayName === 'string' ? displayName : group.metadata.name),
      members: refsOf(group, RELATION_HAS_MEMBER).filter(
        m => parseEntityRef(m).kind.toLocaleLowerCase('en-US') === 'user',
      ),
    });
  }
  teams.sort((a, b) => a.ref.localeCompare(b.ref));

  const prodEntities = new Set<string>();
  for (const resource of resources.items) {
    const env = environmentOf(resource);
    if (env && options.prodEnvironments.includes(env)) {
      prodEntities.add(stringifyEntityRef(resource).toLocaleLowerCase('en-US'));
    }
  }
  return {
    teams,
    emails,
    memberships,
    prodEntities,
    orgTitle: options.orgTitle,
  };
}

/**
 * Mail recipients of a scope: a team's members, or for the org report the
 * members of `orgRecipients` (groups or users; every team member when
 * empty). People without a mail address in the catalog are left out.
 */
export function recipientsOf(
  snapshot: CatalogSnapshot,
  scope: string,
  orgRecipients: string[],
): Recipient[] {
  const users = new Set<string>();
  if (scope === 'org') {
    if (orgRecipients.length === 0) {
      for (const t of snapshot.teams) t.members.forEach(m => users.add(m));
    } else {
      for (const raw of orgRecipients) {
        const ref = stringifyEntityRef(parseEntityRef(raw)).toLocaleLowerCase(
          'en-US',
        );
        if (ref.startsWith('user:')) users.add(ref);
        for (const [user, groups] of snapshot.memberships) {
          if (groups.includes(ref)) users.add(user);
        }
      }
    }
  } else {
    snapshot.teams
      .find(t => t.ref === scope)
      ?.members.forEach(m => users.add(m));
  }
  return [...users].sort().flatMap(userRef => {
    const email = snapshot.emails.get(userRef);
    return email ? [{ userRef, email }] : [];
  });
}
