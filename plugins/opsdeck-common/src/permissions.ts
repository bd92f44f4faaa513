import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the audit log (the Audit page and GET /api/audit/events).
 * Audit rows have no update or delete permission: nothing may change them.
 */
export const auditEventReadPermission = createPermission({
  name: 'opsdeck.audit.event.read',
  attributes: { action: 'read' },
});

/** Create local accounts, set their passwords and unlock them. */
export const localAccountManagePermission = createPermission({
  name: 'opsdeck.local-auth.account.manage',
  attributes: { action: 'update' },
});

/** List local accounts (names, lock state; never password hashes). */
export const localAccountReadPermission = createPermission({
  name: 'opsdeck.local-auth.account.read',
  attributes: { action: 'read' },
});

/**
 * Change one's own local-account password (POST /api/local-auth/me/password).
 * Meant to be granted to every signed-in user; the current password is checked too.
 */
export const localAccountChangeOwnPasswordPermission = createPermission({
  name: 'opsdeck.local-auth.account.password.change-own',
  attributes: { action: 'update' },
});

/**
 * List credentials of the vault and their metadata (name, type, username,
 * fingerprint, owner). Never the secret: no route returns secret material.
 */
export const vaultCredentialReadPermission = createPermission({
  name: 'opsdeck.vault.credential.read',
  attributes: { action: 'read' },
});

/**
 * Create, replace the secret of, change and delete vault credentials, and
 * re-encrypt the vault under the current key (POST /api/vault/rotate).
 */
export const vaultCredentialManagePermission = createPermission({
  name: 'opsdeck.vault.credential.manage',
  attributes: { action: 'update' },
});

/** List and read CMDB hosts and their facts, and export them as CSV. */
export const cmdbHostReadPermission = createPermission({
  name: 'opsdeck.cmdb.host.read',
  attributes: { action: 'read' },
});

/** Register hosts through the CMDB API (they become catalog entities). */
export const cmdbHostCreatePermission = createPermission({
  name: 'opsdeck.cmdb.host.create',
  attributes: { action: 'create' },
});

/** Decommission hosts registered through the CMDB API. */
export const cmdbHostDeletePermission = createPermission({
  name: 'opsdeck.cmdb.host.delete',
  attributes: { action: 'delete' },
});

/** Collect a host's facts now (connects to it over SSH). */
export const cmdbHostCollectPermission = createPermission({
  name: 'opsdeck.cmdb.host.collect',
  attributes: { action: 'update' },
});

/** Every permission that opsdeck's own plugins define. */
export const opsdeckPermissions = [
  auditEventReadPermission,
  localAccountManagePermission,
  localAccountReadPermission,
  localAccountChangeOwnPasswordPermission,
  vaultCredentialReadPermission,
  vaultCredentialManagePermission,
  cmdbHostReadPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostCollectPermission,
];

/** Names start with this prefix for every opsdeck permission; the policy denies them by default. */
export const OPSDECK_PERMISSION_PREFIX = 'opsdeck.';
