export interface Config {
  opsdeck?: {
    /**
     * Maps each opsdeck role to catalog entity refs (groups or users).
     * A signed-in user gets every role whose list contains one of their
     * ownership refs (their own user ref and the groups they are a member of).
     * Role names: admin, ops, dba, dev, viewer. Unknown role names stop the
     * backend at startup.
     *
     * @example
     * admin: [group:default/admins]
     * viewer: [group:default/security, user:default/auditor]
     */
    roles?: {
      [role: string]: string[];
    };

    /**
     * Overrides the permission policy's grant table, keyed by permission name
     * (e.g. opsdeck.audit.event.read, catalog.entity.delete). The value is the
     * full list of non-admin roles that get the permission; it replaces the
     * built-in entry, so it can both widen and narrow. An empty list makes the
     * permission admin-only. admin always gets everything; viewer never gets a
     * create/update/delete permission even if listed here.
     */
    permissionGrants?: {
      [permissionName: string]: string[];
    };
  };
}
