import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  jobsManagePermission,
  jobsAdhocReadPermission,
  jobsReadPermission,
  jobsRunPermission,
  jobsRunProdPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  backendInstanceName,
  userPermissionsServiceRef,
} from '@opsdeck/plugin-opsdeck-node';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { readJobsConfig } from './config';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import { RunExecutor } from './execution/RunExecutor';
import { ScheduleRunner } from './schedule/ScheduleRunner';
import { createRouter } from './service/router';
import { hostsServiceRef } from '@opsdeck/plugin-cmdb-node';
import {
  createFailureNotifier,
  createWebhookDeliverer,
} from './notify/runNotifiers';
import { auditInterruptedRuns, auditSecretPrinted } from './execution/runAudit';
import { startScheduledRun } from './schedule/startScheduledRun';
import { ScheduleOwnerGuard } from './schedule/ownerGuard';
import { HostAccess } from './service/HostAccess';
import { validateWebhook } from './notify/webhook';
import { WebhookPolicy } from './notify/webhookPolicy';

/**
 * The jobs plugin: saved scripts run on catalog hosts over the shared SSH
 * pool, now or on cron schedules, with per-host results (/api/jobs).
 *
 * @public
 */
export const jobsPlugin = createBackendPlugin({
  pluginId: 'jobs',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        hosts: hostsServiceRef,
        notifications: notificationService,
        ssh: remoteNodeServiceRef,
        userPermissions: userPermissionsServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const { logger, auth, hosts } = deps;
        const config = readJobsConfig(deps.rootConfig);
        const store = await DatabaseJobStore.create({
          database: deps.database,
        });
        const baseUrl = deps.rootConfig.getString('app.baseUrl');
        const webhookPolicy = new WebhookPolicy(config.webhookAllowList);
        const hostAccess = new HostAccess({
          hosts,
          permissions: deps.permissions,
          userPermissions: deps.userPermissions,
          prodEnvironments: config.prodEnvironments,
        });
        const executor = new RunExecutor({
          store,
          ssh: deps.ssh,
          vault: deps.vault,
          logger,
          defaultCredential: config.defaultCredential,
          maxOutputBytes: config.maxOutputBytes,
          instance: backendInstanceName(deps.rootConfig),
          deliverWebhook: createWebhookDeliverer({
            baseUrl,
            vault: deps.vault,
            timeoutMs: config.webhookTimeoutMs,
            retries: config.webhookRetries,
            policy: webhookPolicy,
            auditor: deps.auditor,
          }),
          notifyFailure: createFailureNotifier({
            baseUrl,
            notifications: deps.notifications,
          }),
          onSecretPrinted: (runId, host) =>
            auditSecretPrinted({ auditor: deps.auditor, logger }, runId, host),
        });
        const scheduler = new ScheduleRunner({
          store,
          logger,
          runnerId: executor.runnerId,
          graceMs: config.missedGraceMs,
          staleMs: config.staleRunMs,
          onInterrupted: ids =>
            auditInterruptedRuns(
              { auditor: deps.auditor, logger },
              ids,
              'stale-heartbeat',
            ),
          startRun: (schedule, tickAt) =>
            startScheduledRun({
              schedule,
              tickAt,
              store,
              executor,
              auditor: deps.auditor,
              logger,
              guard: new ScheduleOwnerGuard({
                store,
                hostAccess,
                auditor: deps.auditor,
                logger,
                notifications: deps.notifications,
                baseUrl,
              }),
              // no user at tick time: only approved hosts run (see there)
              resolve: async selector =>
                hosts.resolveHosts(selector, {
                  credentials: await auth.getOwnServiceCredentials(),
                }),
            }),
        });
        deps.lifecycle.addStartupHook(async () => {
          // this instance's previous process died with these runs: end them now
          await auditInterruptedRuns(
            { auditor: deps.auditor, logger },
            await executor.recoverOwnRuns(),
            'own-restart',
          );
          scheduler.start(config.scheduleIntervalMs);
        });
        deps.lifecycle.addShutdownHook(async () => {
          await scheduler.stop();
          await executor.shutdown();
        });

        deps.permissionsRegistry.addPermissions([
          jobsReadPermission,
          jobsAdhocReadPermission,
          jobsManagePermission,
          jobsRunPermission,
          jobsRunProdPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            store,
            executor,
            hostAccess,
            checkWebhook: async webhook => {
              validateWebhook(webhook);
              await webhookPolicy.checkAtSave(webhook.url);
            },
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            streamPollMs: config.streamPollMs,
          }),
        );
      },
    });
  },
});
