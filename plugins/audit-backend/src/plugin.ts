import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { auditEventReadPermission } from '@opsdeck/plugin-opsdeck-common';
import { auditStoreServiceRef } from '@opsdeck/plugin-audit-node';
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
        // The backend's one audit store, the same instance opsdeck's auditor
        // writes to (one pool, migrations once, the same rows).
        auditStore: auditStoreServiceRef,
        auditor: coreServices.auditor,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        auditStore,
        auditor,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
      }) {
        const store = await auditStore.store();

        permissionsRegistry.addPermissions([auditEventReadPermission]);
        httpRouter.use(
          await createRouter({ store, httpAuth, permissions, auditor }),
        );
      },
    });
  },
});
