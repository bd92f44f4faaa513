import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OpsdeckPermissionPolicy } from './policy';

/**
 * Sets opsdeck's role-based permission policy on the permission backend.
 * Replaces @backstage/plugin-permission-backend-module-allow-all-policy.
 */
export const permissionModuleOpsdeckPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'opsdeck-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
        policy: policyExtensionPoint,
      },
      async init({ config, logger, userInfo, policy }) {
        // Throws on bad config, which fails the backend's startup.
        const opsdeckPolicy = OpsdeckPermissionPolicy.fromConfig(config, {
          userInfo,
        });
        if (!config.has('opsdeck.roles')) {
          logger.warn(
            'opsdeck.roles is not set: no user has an opsdeck role, opsdeck features are denied to everyone',
          );
        }
        policy.setPolicy(opsdeckPolicy);
      },
    });
  },
});
