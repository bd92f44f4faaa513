import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { changeApprovalsServiceRef } from '@opsdeck/plugin-tickets-node';
import { createDecommissionHostAction } from './actions/decommissionHost';
import { createDeployImageAction } from './actions/deployImage';
import { createRegisterHostsAction } from './actions/registerHosts';

/**
 * opsdeck's scaffolder actions: register hosts in the CMDB and decommission
 * them, deploy an image to a component's Kubernetes deployment; each as the
 * user who runs the template.
 *
 * @public
 */
export const scaffolderModuleOpsdeck = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'opsdeck',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        approvals: changeApprovalsServiceRef,
      },
      async init({ scaffolder, discovery, auth, approvals }) {
        scaffolder.addActions(
          createRegisterHostsAction({ discovery, auth }),
          createDecommissionHostAction({ discovery, auth }),
          createDeployImageAction({ discovery, auth, approvals }),
        );
      },
    });
  },
});
