import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { cmdbHubServiceRef } from '@opsdeck/plugin-cmdb-node';
import { HostCollatorFactory } from './HostCollatorFactory';

/**
 * Search module: indexes CMDB hosts and their facts (document type
 * `opsdeck-host`). It reads the cmdb plugin's host store through the
 * in-process hub (`cmdbHubServiceRef`, as the catalog module does), so install
 * it in the same backend as the cmdb plugin and `cmdbHubServiceFactory`. Schedule: `search.collators.opsdeckHosts.schedule`
 * (default every 10 minutes).
 *
 * @public
 */
export const searchModuleOpsdeckHosts = createBackendModule({
  pluginId: 'search',
  moduleId: 'opsdeck-cmdb-hosts',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        // the cmdb plugin's hub: the same instance in this backend
        hub: cmdbHubServiceRef,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({ rootConfig, hub, scheduler, indexRegistry }) {
        const key = 'search.collators.opsdeckHosts.schedule';
        const schedule = rootConfig.has(key)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              rootConfig.getConfig(key),
            )
          : {
              frequency: { minutes: 10 },
              timeout: { minutes: 15 },
              initialDelay: { seconds: 30 },
            };
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(schedule),
          factory: new HostCollatorFactory(() => hub.store),
        });
      },
    });
  },
});
