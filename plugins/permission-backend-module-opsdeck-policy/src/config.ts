import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  isOpsdeckRole,
  OPSDECK_ROLES,
  OpsdeckRole,
} from '@opsdeck/plugin-opsdeck-common';

/** The policy's settings, read and validated from `opsdeck.*` config. */
export interface OpsdeckPolicyConfig {
  /** Normalized (lower-case, full) entity ref -> roles it gives. */
  roleMembers: ReadonlyMap<string, ReadonlySet<OpsdeckRole>>;
  /** Permission name -> non-admin roles; replaces the code table's entry. */
  permissionGrants: Readonly<Record<string, readonly OpsdeckRole[]>>;
}

const ROLES_KEY = 'opsdeck.roles';
const GRANTS_KEY = 'opsdeck.permissionGrants';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(message: string): Error {
  return new Error(`Invalid opsdeck permission config: ${message}`);
}

function readStringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw configError(`${key} must be a list of strings`);
  }
  return value as string[];
}

/**
 * Normalizes an entity ref from config so it compares equal to the refs in
 * a user's ownershipEntityRefs. The kind is required (group:... or user:...),
 * the namespace defaults to "default".
 */
export function normalizeEntityRef(ref: string, key = ROLES_KEY): string {
  let parsed;
  try {
    parsed = parseEntityRef(ref.trim());
  } catch (error) {
    throw configError(
      `${key} has an invalid entity ref '${ref}', expected e.g. group:default/admins (${error})`,
    );
  }
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}

function readRoles(config: Config): Map<string, Set<OpsdeckRole>> {
  const raw = config.getOptional(ROLES_KEY);
  const roleMembers = new Map<string, Set<OpsdeckRole>>();
  if (raw === undefined) {
    return roleMembers;
  }
  if (!isPlainObject(raw)) {
    throw configError(`${ROLES_KEY} must be an object of role: [entity refs]`);
  }
  for (const [role, members] of Object.entries(raw)) {
    if (!isOpsdeckRole(role)) {
      throw configError(
        `${ROLES_KEY} has unknown role '${role}', valid roles are ${OPSDECK_ROLES.join(
          ', ',
        )}`,
      );
    }
    const key = `${ROLES_KEY}.${role}`;
    for (const member of readStringList(members, key)) {
      const ref = normalizeEntityRef(member, key);
      const roles = roleMembers.get(ref) ?? new Set<OpsdeckRole>();
      roles.add(role);
      roleMembers.set(ref, roles);
    }
  }
  return roleMembers;
}

function readGrants(config: Config): Record<string, OpsdeckRole[]> {
  // Permission names contain dots, which config paths can't address, so the
  // whole object is read at once and its keys are used as they are.
  const raw = config.getOptional(GRANTS_KEY);
  const grants: Record<string, OpsdeckRole[]> = {};
  if (raw === undefined) {
    return grants;
  }
  if (!isPlainObject(raw)) {
    throw configError(
      `${GRANTS_KEY} must be an object of permissionName: [roles]`,
    );
  }
  for (const [name, roles] of Object.entries(raw)) {
    const key = `${GRANTS_KEY}['${name}']`;
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
      throw configError(`${key} is not a permission name`);
    }
    const list = readStringList(roles, key);
    const invalid = list.filter(role => !isOpsdeckRole(role));
    if (invalid.length > 0) {
      throw configError(
        `${key} has unknown role(s) ${invalid
          .map(r => `'${r}'`)
          .join(', ')}, valid roles are ${OPSDECK_ROLES.join(', ')}`,
      );
    }
    grants[name] = [...new Set(list as OpsdeckRole[])];
  }
  return grants;
}

/**
 * Reads `opsdeck.roles` and `opsdeck.permissionGrants`; throws a descriptive
 * error on unknown role names, malformed entity refs or wrong types, so a bad
 * config stops the backend at startup instead of silently denying or allowing.
 */
export function readOpsdeckPolicyConfig(config: Config): OpsdeckPolicyConfig {
  return {
    roleMembers: readRoles(config),
    permissionGrants: readGrants(config),
  };
}
