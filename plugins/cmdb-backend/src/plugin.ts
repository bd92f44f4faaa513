import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  cmdbHostCollectPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostAnyOwnerPermission,
  cmdbHostKeyAcceptPermission,
  cmdbHostKeyResetPermission,
  cmdbHostReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { getCmdbHub } from './catalog/cmdbHub';
import { syncCatalogHosts } from './catalog/syncCatalogHosts';
import { readCmdbConfig } from './config';
import { DatabaseHostStore } from './database/DatabaseHostStore';
import { FactCollector } from './facts/FactCollector';
import { createRouter } from './service/router';

/**
 * The CMDB plugin: host index and facts (own tables), fact collection over
 * SSH, catalog mirroring and the REST API at /api/cmdb. Install together
 * with `catalogModuleOpsdeckResources`, which puts CMDB hosts into the catalog.
 *
 * @public
 */
export const cmdbPlugin = createBackendPlugin({
  pluginId: 'cmdb',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        ssh: remoteNodeServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const { rootConfig, logger, scheduler } = deps;
        const config = readCmdbConfig(rootConfig);
        const store = await DatabaseHostStore.create({
          database: deps.database,
        });
        const hub = getCmdbHub(rootConfig);
        hub.setStore(store);

        const collector = new FactCollector({
          store,
          ssh: deps.ssh,
          vault: deps.vault,
          defaultCredential: config.defaultCredential,
          logger,
          concurrency: config.factsConcurrency,
          timeoutMs: config.factsTimeoutMs,
        });

        // scope global (the default): one replica runs each task at a time
        await scheduler.scheduleTask({
          id: 'cmdb-collect-facts',
          frequency: { minutes: config.factsFrequencyMinutes },
          timeout: { minutes: Math.max(config.factsFrequencyMinutes, 5) },
          initialDelay: { seconds: config.factsInitialDelaySeconds },
          fn: async signal => {
            await collector.collectAll(signal as AbortSignal);
          },
        });
        await scheduler.scheduleTask({
          id: 'cmdb-catalog-sync',
          frequency: { minutes: config.catalogSyncFrequencyMinutes },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 20 },
          fn: async () => {
            await syncCatalogHosts({
              catalog: deps.catalog,
              auth: deps.auth,
              store,
              logger,
            });
          },
        });

        deps.permissionsRegistry.addPermissions([
          cmdbHostReadPermission,
          cmdbHostCreatePermission,
          cmdbHostDeletePermission,
          cmdbHostCollectPermission,
          cmdbHostKeyResetPermission,
          cmdbHostKeyAcceptPermission,
          cmdbHostAnyOwnerPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            store,
            collector,
            hub,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            userInfo: deps.userInfo,
            hostKeys: deps.ssh.hostKeyStore,
            concurrency: config.factsConcurrency,
          }),
        );
      },
    });
  },
});
