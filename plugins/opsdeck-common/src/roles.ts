/**
 * opsdeck's roles, from most to least privileged. A user's roles come from the
 * catalog groups they belong to (config: opsdeck.roles), see the policy module.
 */
export const OPSDECK_ROLES = ['admin', 'ops', 'dba', 'dev', 'viewer'] as const;

/** One of opsdeck's roles. */
export type OpsdeckRole = (typeof OPSDECK_ROLES)[number];

/** True when the value names an opsdeck role. */
export function isOpsdeckRole(value: unknown): value is OpsdeckRole {
  return (OPSDECK_ROLES as readonly unknown[]).includes(value);
}
