import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  bastionGrantManagePermission,
  bastionGrantReadPermission,
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { mkdirSync } from 'node:fs';
import { readBastionConfig } from './config';
import { DatabaseBastionStore } from './database/DatabaseBastionStore';
import { MfaService } from './mfa/MfaService';
import { createCatalogHostDirectory } from './session/catalogHosts';
import { createVaultCredentials } from './session/credentials';
import { SessionManager } from './session/SessionManager';
import { createRouter } from './service/router';
import { addTerminalSockets } from './service/websocket';

/**
 * The bastion: web terminals to catalog hosts over WebSocket and the SSH core, access grants,
 * recordings, command audit and rules, live sessions and TOTP step-up, at /api/bastion.
 *
 * @public
 */
export const bastionPlugin = createBackendPlugin({
  pluginId: 'bastion',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        ssh: remoteNodeServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = readBastionConfig(deps.rootConfig);
        mkdirSync(config.recordingsDir, { recursive: true });
        const store = await DatabaseBastionStore.create({
          database: deps.database,
        });
        const hosts = createCatalogHostDirectory({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        const mfa = new MfaService(store, config.mfa);
        const sessions = new SessionManager({
          store,
          ssh: deps.ssh,
          hosts,
          credentials: createVaultCredentials({
            vault: deps.vault,
            defaultCredential: config.defaultCredential,
          }),
          mfa,
          config,
          logger: deps.logger,
          auditor: deps.auditor,
        });
        // Sessions live in the process that holds their WebSocket; replicas share the
        // database. Sessions whose instance stopped sending heartbeats (a crash, a kill, this
        // process's predecessor) end now as interrupted; their recordings are complete up to
        // the last flush. The same check then runs with every heartbeat.
        await sessions.heartbeat();
        deps.logger.info(
          `Bastion instance ${config.instanceId} (heartbeat every ${config.heartbeatSeconds}s)`,
        );
        deps.lifecycle.addShutdownHook(() =>
          sessions.closeAll('The backend is shutting down'),
        );

        deps.permissionsRegistry.addPermissions([
          bastionSessionOpenPermission,
          bastionSessionReadPermission,
          bastionSessionManagePermission,
          bastionGrantReadPermission,
          bastionGrantManagePermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            store,
            sessions,
            hosts,
            mfa,
            recordingsDir: config.recordingsDir,
            ssh: deps.ssh,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
        addTerminalSockets({
          httpRouter: deps.httpRouter,
          sessions,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
          logger: deps.logger,
        });
      },
    });
  },
});
