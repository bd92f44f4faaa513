import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  cmdbHostCollectPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostAnyOwnerPermission,
  cmdbHostKeyAcceptPermission,
  cmdbHostKeyResetPermission,
  cmdbHostReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { runningDigestsServiceRef } from '@opsdeck/plugin-registry-node';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { cmdbHubServiceRef } from '@opsdeck/plugin-cmdb-node';
import {
  VAULT_CREDENTIAL_SAVED_TOPIC,
  vaultServiceRef,
  type VaultCredentialSavedEvent,
} from '@opsdeck/plugin-vault-node';
import { syncCatalogHosts } from './catalog/syncCatalogHosts';
import { readCmdbConfig } from './config';
import { DatabaseHostStore } from './database/DatabaseHostStore';
import { FactCollector } from './facts/FactCollector';
import { HostResolver } from './hosts/HostResolver';
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
        // shared with the catalog and search modules: one per backend
        hub: cmdbHubServiceRef,
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
        events: eventsServiceRef,
        // the facts run reports hosts' container image digests (registry)
        running: runningDigestsServiceRef,
      },
      async init(deps) {
        const { rootConfig, logger, scheduler } = deps;
        const config = readCmdbConfig(rootConfig);
        const store = await DatabaseHostStore.create({
          database: deps.database,
        });
        const { hub } = deps;
        hub.setStore(store);

        const collector = new FactCollector({
          store,
          ssh: deps.ssh,
          vault: deps.vault,
          defaultCredential: config.defaultCredential,
          logger,
          running: deps.running,
          concurrency: config.factsConcurrency,
          timeoutMs: config.factsTimeoutMs,
        });

        // A saved credential: collect the hosts that log in with it now, on
        // behalf of whoever saved it (not waiting for the next scheduled run).
        await deps.events.subscribe({
          id: 'cmdb-collect-on-credential-save',
          topics: [VAULT_CREDENTIAL_SAVED_TOPIC],
          onEvent: async ({ eventPayload }) => {
            const { name, actor } = eventPayload as VaultCredentialSavedEvent;
            // in the background: the save answers without waiting for SSH
            collector.collectForCredential(name, actor).then(
              r =>
                logger.info(
                  `Credential ${name} saved: collected ${r.hosts} hosts using it, ${r.reachable} reachable`,
                ),
              e => logger.warn(`Collecting after saving ${name} failed: ${e}`),
            );
          },
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
          frequency: {
            seconds: Math.max(
              1,
              Math.round(config.catalogSyncFrequencyMinutes * 60),
            ),
          },
          timeout: { minutes: 10 },
          // 0: at start-up (tests whose hosts are catalog entities)
          initialDelay: config.catalogSyncInitialDelaySeconds
            ? { seconds: config.catalogSyncInitialDelaySeconds }
            : undefined,
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
            resolver: new HostResolver({
              store,
              permissions: deps.permissions,
            }),
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
