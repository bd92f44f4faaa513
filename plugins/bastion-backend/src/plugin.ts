import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { HostFactsClient, hostsServiceRef } from '@opsdeck/plugin-cmdb-node';
import {
  bastionGrantManagePermission,
  bastionCommandReviewPermission,
  bastionGrantReadPermission,
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
  bastionSessionReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { localAuthServiceRef } from '@opsdeck/plugin-local-auth-node';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { mkdirSync } from 'node:fs';
import { readBastionConfig } from './config';
import { DatabaseBastionStore } from './database/DatabaseBastionStore';
import { MfaService } from './mfa/MfaService';
import { MfaStore } from './mfa/MfaStore';
import { createHostDirectory } from './session/indexHosts';
import {
  createAuditCredentials,
  createVaultCredentials,
} from './session/credentials';
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
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        hosts: hostsServiceRef,
        ssh: remoteNodeServiceRef,
        localAuth: localAuthServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = readBastionConfig(deps.rootConfig);
        mkdirSync(config.recordingsDir, { recursive: true });
        const store = await DatabaseBastionStore.create({
          database: deps.database,
        });
        const hosts = createHostDirectory({
          hosts: deps.hosts,
          auth: deps.auth,
        });
        // TOTP (re-)enrolment asks for the user's password: local-auth checks it.
        const mfa = new MfaService(
          new MfaStore(await deps.database.getClient()),
          config.mfa,
          (userEntityRef, password, request) =>
            deps.localAuth.verifyPassword({ userEntityRef, password, request }),
        );
        const sessions = new SessionManager({
          store,
          ssh: deps.ssh,
          hosts,
          credentials: createVaultCredentials({
            vault: deps.vault,
            defaultCredential: config.defaultCredential,
          }),
          // exec-audit logins (opsdeck.bastion.execAudit): a vault credential taken out for
          // ssh-login on the host, on behalf of the person whose session it audits
          auditCredentials: createAuditCredentials({ vault: deps.vault }),
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
            facts: new HostFactsClient({
              discovery: deps.discovery,
              auth: deps.auth,
            }),
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
