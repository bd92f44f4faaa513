import {
  coreServices,
  createBackendPlugin,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  bastionGrantManagePermission,
  bastionCommandReviewPermission,
  bastionGrantReadPermission,
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  remoteNodeServiceRef,
  sshCredentialsFromSecret,
} from '@opsdeck/plugin-remote-node';
// vaultServiceRef is the vault's server-side service API, meant for other backend plugins.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  vaultServiceRef,
  type VaultService,
} from '@opsdeck/plugin-vault-backend';
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
        // The ref is declared without its instance type; it is a singleton.
        vault: vaultServiceRef as ServiceRef<
          VaultService,
          'plugin',
          'singleton'
        >,
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
            getSecret: name => deps.vault.getSecret(name),
            defaultCredential: config.defaultCredential,
          }),
          // exec-audit logins (opsdeck.bastion.execAudit): a vault credential, as the entry's
          // login user or the credential's own
          auditCredentials: async (name, loginUser) => {
            const secret = await deps.vault.getSecret(name);
            const username = loginUser ?? secret.username;
            if (!username) {
              throw new Error(
                `Exec-audit credential '${name}' has no username and the setting names no loginUser`,
              );
            }
            return sshCredentialsFromSecret(secret, username);
          },
          mfa,
          config,
          logger: deps.logger,
          auditor: deps.auditor,
        });
        // Sessions live in the process that holds their WebSocket; replicas share the
        // database. This instance's own sessions from before a restart end now as
        // interrupted, and so do sessions of instances whose heartbeat stopped (checked again
        // with every heartbeat); their recordings are complete up to the last flush.
        await sessions.start();
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
          bastionCommandReviewPermission,
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
