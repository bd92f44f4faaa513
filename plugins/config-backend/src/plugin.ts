import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import { HostFactsClient, hostsServiceRef } from '@opsdeck/plugin-cmdb-node';
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
import { changeApprovalsServiceRef } from '@opsdeck/plugin-tickets-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { ConfigStore } from './database/ConfigStore';
import { applyConfigMigrations } from './database/migrations';
import { DriftWatcher } from './release/DriftWatcher';
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
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        notifications: notificationService,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        hosts: hostsServiceRef,
        ssh: remoteNodeServiceRef,
        vault: vaultServiceRef,
        // prod changes by people without config.push.prod: approved through a ticket
        approvals: changeApprovalsServiceRef,
      },
      async init(deps) {
        const config = deps.rootConfig.getOptionalConfig('opsdeck.config');
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyConfigMigrations(knex);
        }
        const store = new ConfigStore(knex);
        await store.failInterrupted();
        await store.reloads.failInterrupted();
        const commandTimeoutMs = config?.getOptionalNumber('commandTimeoutMs');
        // SSH logins from the vault, taken out per release on behalf of its author.
        const sshTargets: SshTargets = actor => {
          const resolver = createCredentialResolver({
            vault: deps.vault,
            // the drift schedule acts for nobody: no actor
            actor: actor || undefined,
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
        const service = new ConfigService({
          store,
          releaser,
          hosts: deps.hosts,
          ssh: deps.ssh,
          sshTargets,
          commandTimeoutMs,
          maxBatchSize: config?.getOptionalNumber('maxBatchSize'),
          serviceCredentials: () => deps.auth.getOwnServiceCredentials(),
          logger: deps.logger,
          // vault references in variables, taken out at push for the pusher
          vault: deps.vault,
          // `facts.*` in templates: the CMDB's collected facts, read as the caller
          facts: new HostFactsClient({
            discovery: deps.discovery,
            auth: deps.auth,
          }),
          approvals: deps.approvals,
        });
        // shutdown: no timed pause goes on from here, then the running batches end
        deps.lifecycle.addShutdownHook(async () => {
          service.stop();
          await releaser.idle();
        });
        // timed pauses that outlived a restart go on when they end
        await service.resumeTimedPauses();
        // The drift schedule: live files against what the last push left;
        // the set's owner is notified of each new hand edit.
        const watcher = new DriftWatcher({
          service,
          logger: deps.logger,
          credentials: () => deps.auth.getOwnServiceCredentials(),
          notify: async (set, drifted) => {
            await deps.notifications.send({
              recipients: { type: 'entity', entityRef: set.owner },
              payload: {
                title: `Config drift: ${set.name}`,
                description: `Changed by hand since the last push: ${drifted
                  .map(d => d.host)
                  .join(', ')} (${set.targetPath})`,
                link: `/config/${set.id}`,
                severity: 'high',
                topic: `config-drift-${set.id}`,
              },
            });
          },
        });
        const driftMinutes =
          config?.getOptionalNumber('driftCheckMinutes') ?? 15;
        if (driftMinutes > 0) {
          await deps.scheduler.scheduleTask({
            id: 'config-drift-check',
            frequency: { minutes: driftMinutes },
            timeout: { minutes: 10 },
            initialDelay: { minutes: 1 },
            fn: async () => {
              await watcher.checkAll();
            },
          });
        }

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
