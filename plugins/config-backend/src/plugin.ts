import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { hostsServiceRef } from '@opsdeck/plugin-cmdb-node';
import {
  configEditPermission,
  configPushPermission,
  configPushProdPermission,
  configReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  createCredentialResolver,
  remoteNodeServiceRef,
} from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { ConfigStore } from './database/ConfigStore';
import { applyConfigMigrations } from './database/migrations';
import { Releaser, type SshTargets } from './release/Releaser';
import { ConfigService } from './service/ConfigService';
import { createRouter } from './service/router';

/**
 * The config plugin: config sets rendered from templates, validated on the
 * host, pushed over SSH, reloaded, health-checked and reverted, at
 * /api/config.
 *
 * @public
 */
export const configPlugin = createBackendPlugin({
  pluginId: 'config',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        hosts: hostsServiceRef,
        ssh: remoteNodeServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = deps.rootConfig.getOptionalConfig('opsdeck.config');
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyConfigMigrations(knex);
        }
        const store = new ConfigStore(knex);
        await store.failInterrupted();
        const commandTimeoutMs = config?.getOptionalNumber('commandTimeoutMs');
        // SSH logins from the vault, taken out per release on behalf of its author.
        const sshTargets: SshTargets = actor => {
          const resolver = createCredentialResolver({
            vault: deps.vault,
            actor,
            defaultCredential: config?.getOptionalString('defaultCredential'),
            defaultCredentialSetting: 'opsdeck.config.defaultCredential',
          });
          return async host => ({
            host: host.address,
            port: host.port,
            credentials: await resolver.ssh({
              credential: host.credential,
              loginUser: host.loginUser,
              target: {
                ref: host.entityRef,
                owner: host.owner,
                system: host.system,
                environment: host.environment,
              },
            }),
          });
        };
        const releaser = new Releaser({
          store,
          ssh: deps.ssh,
          sshTargets,
          logger: deps.logger,
          commandTimeoutMs,
          healthAttempts: config?.getOptionalNumber('healthAttempts'),
          healthIntervalMs: config?.getOptionalNumber('healthIntervalMs'),
        });
        deps.lifecycle.addShutdownHook(() => releaser.idle());
        const service = new ConfigService({
          store,
          releaser,
          hosts: deps.hosts,
          ssh: deps.ssh,
          sshTargets,
          commandTimeoutMs,
          maxBatchSize: config?.getOptionalNumber('maxBatchSize'),
        });
        deps.permissionsRegistry.addPermissions([
          configReadPermission,
          configEditPermission,
          configPushPermission,
          configPushProdPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
