import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { auditEventReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { getSharedAuditStore } from './auditor/sharedAuditStore';
import { DatabaseAuditStore } from '@opsdeck/plugin-audit-node';
import { createRouter } from './service/router';

/**
 * The audit plugin: serves the persisted audit log (read-only) at /api/audit.
 *
 * @public
 */
export const auditPlugin = createBackendPlugin({
  pluginId: 'audit',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        // Depending on the auditor makes sure that, when opsdeck's auditor is
        // installed, its root context (which opens the audit database) exists.
        auditor: coreServices.auditor,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        config,
        auditor,
        database,
        httpAuth,
        httpRouter,
        logger,
        permissions,
        permissionsRegistry,
      }) {
        const shared = getSharedAuditStore(config);
        const store = shared
          ? await shared
          : await DatabaseAuditStore.create({ database, logger });

        permissionsRegistry.addPermissions([auditEventReadPermission]);
        httpRouter.use(
          await createRouter({ store, httpAuth, permissions, auditor }),
        );
      },
    });
  },
});
