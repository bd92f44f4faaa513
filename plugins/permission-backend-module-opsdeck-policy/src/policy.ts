import { UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PermissionCriteria,
  PermissionCondition,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  cmdbHostReadPermission,
  OPSDECK_PERMISSION_PREFIX,
  OpsdeckRole,
} from '@opsdeck/plugin-opsdeck-common';
import { OpsdeckPolicyConfig, readOpsdeckPolicyConfig } from './config';
import {
  ANY_USER,
  BACKSTAGE_DEFAULT_GRANT,
  BACKSTAGE_PREFIX_GRANTS,
  Grant,
  PERMISSION_GRANTS,
} from './grants';

const MUTATING_ACTIONS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'delete',
]);

/** True when the permission creates, updates or deletes something. */
export function isMutatingPermission(permission: Permission): boolean {
  const action = permission.attributes?.action;
  return action !== undefined && MUTATING_ACTIONS.has(action);
}

/**
 * Spec fields of catalog entities that say how to connect to them (hosts,
 * databases, caches): readable only with `opsdeck.cmdb.host.read`.
 */
export const CONNECTION_FIELDS = [
  'address',
  'port',
  'loginUser',
  'credential',
] as const;

const hasSpec = (
  key: (typeof CONNECTION_FIELDS)[number],
): PermissionCondition<'catalog-entity'> => ({
  rule: 'HAS_SPEC',
  resourceType: 'catalog-entity',
  params: { key },
});

/**
 * The catalog condition for callers without `opsdeck.cmdb.host.read`: every
 * entity except those carrying connection fields. The catalog applies it in
 * its queries (entities, by-refs, facets, search results), so such entities
 * are not returned at all: Backstage's permissions filter entities, not
 * fields.
 */
export const hideConnectionEntities: PermissionCriteria<
  PermissionCondition<'catalog-entity'>
> = {
  not: {
    anyOf: [
      hasSpec('address'),
      hasSpec('port'),
      hasSpec('loginUser'),
      hasSpec('credential'),
    ],
  },
};

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
const deny: PolicyDecision = { result: AuthorizeResult.DENY };

/** Options for {@link OpsdeckPermissionPolicy}. */
export interface OpsdeckPermissionPolicyOptions extends OpsdeckPolicyConfig {
  /** Resolves a user's ownership refs (own ref + groups) from credentials. */
  userInfo: UserInfoService;
  /** Grant table; defaults to {@link PERMISSION_GRANTS}. */
  grants?: Readonly<Record<string, Grant>>;
}

/**
 * opsdeck's permission policy: roles come from catalog groups (config
 * `opsdeck.roles`), permissions from the grant table in grants.ts, with
 * config `opsdeck.permissionGrants` overriding entries. See
 * docs/permissions.md.
 */
export class OpsdeckPermissionPolicy implements PermissionPolicy {
  readonly #roleMembers: OpsdeckPolicyConfig['roleMembers'];
  readonly #grants: Readonly<Record<string, Grant>>;
  readonly #userInfo: UserInfoService;

  static fromConfig(
    config: Config,
    options: { userInfo: UserInfoService },
  ): OpsdeckPermissionPolicy {
    return new OpsdeckPermissionPolicy({
      ...readOpsdeckPolicyConfig(config),
      userInfo: options.userInfo,
    });
  }

  constructor(options: OpsdeckPermissionPolicyOptions) {
    this.#roleMembers = options.roleMembers;
    this.#userInfo = options.userInfo;
    this.#grants = {
      ...(options.grants ?? PERMISSION_GRANTS),
      ...options.permissionGrants,
    };
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    // Service-to-service calls never get here: the permissions service
    // (ServerPermissionClient) decides them itself. A query without a user is
    // an unauthenticated caller, so it gets nothing.
    if (!user) {
      return deny;
    }
    const { ownershipEntityRefs } = await this.#userInfo.getUserInfo(
      user.credentials,
    );
    const roles = this.rolesOf(ownershipEntityRefs);
    const { permission } = request;
    if (
      permission.name === 'catalog.entity.read' &&
      isResourcePermission(permission, 'catalog-entity') &&
      this.decide(cmdbHostReadPermission, roles).result !==
        AuthorizeResult.ALLOW
    ) {
      // connection fields of hosts and databases need opsdeck.cmdb.host.read
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: hideConnectionEntities,
      };
    }
    return this.decide(permission, roles);
  }

  /** The roles given by a user's ownership refs (user ref + group refs). */
  rolesOf(ownershipEntityRefs: readonly string[]): Set<OpsdeckRole> {
    const roles = new Set<OpsdeckRole>();
    for (const ref of ownershipEntityRefs) {
      const granted = this.#roleMembers.get(ref.toLocaleLowerCase('en-US'));
      granted?.forEach(role => roles.add(role));
    }
    return roles;
  }

  /** The decision for a signed-in user holding `roles` (possibly none). */
  decide(
    permission: Permission,
    roles: ReadonlySet<OpsdeckRole>,
  ): PolicyDecision {
    if (roles.has('admin')) {
      return allow;
    }
    const grant = this.grantFor(permission);
    const mutating = isMutatingPermission(permission);
    if (grant === ANY_USER) {
      return mutating ? deny : allow;
    }
    const allowed = grant.some(
      role => roles.has(role) && !(mutating && role === 'viewer'),
    );
    return allowed ? allow : deny;
  }

  /** Who, besides admin, gets the permission. */
  grantFor(permission: Permission): Grant {
    const name = permission.name;
    if (Object.prototype.hasOwnProperty.call(this.#grants, name)) {
      return this.#grants[name];
    }
    if (name.startsWith(OPSDECK_PERMISSION_PREFIX)) {
      return []; // not in the table: admin only
    }
    if (permission.attributes?.action === 'read') {
      return ANY_USER;
    }
    const prefix = Object.keys(BACKSTAGE_PREFIX_GRANTS).find(p =>
      name.startsWith(p),
    );
    return prefix ? BACKSTAGE_PREFIX_GRANTS[prefix] : BACKSTAGE_DEFAULT_GRANT;
  }
}
