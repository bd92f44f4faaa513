import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  jobsManagePermission,
  jobsReadPermission,
  jobsRunPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { readJobsConfig } from './config';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import { RunExecutor } from './execution/RunExecutor';
import { ScheduleRunner } from './schedule/ScheduleRunner';
import { createRouter } from './service/router';
import { resolveHosts } from './targets/resolveHosts';
import { deliverWebhook, webhookBody } from './notify/webhook';
import { startScheduledRun } from './schedule/startScheduledRun';

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
        catalog: catalogServiceRef,
        notifications: notificationService,
        ssh: remoteNodeServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const { logger, auth, catalog } = deps;
        const config = readJobsConfig(deps.rootConfig);
        const store = await DatabaseJobStore.create({
          database: deps.database,
        });
        const baseUrl = deps.rootConfig.getString('app.baseUrl');
        const executor = new RunExecutor({
          store,
          ssh: deps.ssh,
          vault: deps.vault,
          logger,
          defaultCredential: config.defaultCredential,
          maxOutputBytes: config.maxOutputBytes,
          deliverWebhook: async (run, webhook, trigger) => {
            let secret: string | undefined;
            if (webhook.secretCredential) {
              try {
                // signs what leaves for the job's webhook, on behalf of the run
                const c = await deps.vault.getSecret(webhook.secretCredential, {
                  use: 'job-secret',
                  for: { ref: `job:${run.jobId}` },
                  ...(run.triggeredBy.startsWith('user:')
                    ? { actor: run.triggeredBy }
                    : {}),
                });
                if (c.type !== 'password') throw new Error('not a password');
                secret = c.password;
              } catch (e) {
                // never send unsigned what the receiver expects signed
                return {
                  url: webhook.url,
                  status: 'failed',
                  attempts: 0,
                  error: `Cannot read signing credential '${
                    webhook.secretCredential
                  }': ${e instanceof Error ? e.message : String(e)}`,
                  deliveredAt: new Date().toISOString(),
                };
              }
            }
            return deliverWebhook({
              url: webhook.url,
              body: webhookBody(run, `${baseUrl}/jobs/runs/${run.id}`, trigger),
              trigger,
              secret,
              timeoutMs: config.webhookTimeoutMs,
              retries: config.webhookRetries,
            });
          },
          notifyFailure: async run => {
            if (!run.triggeredBy.startsWith('user:')) return;
            await deps.notifications.send({
              recipients: { type: 'entity', entityRef: run.triggeredBy },
              payload: {
                title: `Job ${run.jobName} failed`,
                description: `${
                  run.hostCount - (run.summary.succeeded ?? 0)
                } of ${run.hostCount} hosts did not succeed`,
                link: `${baseUrl}/jobs/runs/${run.id}`,
                severity: 'high',
                topic: 'jobs',
              },
            });
          },
        });
        const scheduler = new ScheduleRunner({
          store,
          logger,
          runnerId: executor.runnerId,
          graceMs: config.missedGraceMs,
          staleMs: config.staleRunMs,
          startRun: (schedule, tickAt) =>
            startScheduledRun({
              schedule,
              tickAt,
              store,
              executor,
              auditor: deps.auditor,
              logger,
              // no user at tick time: only approved hosts run (see there)
              resolve: async selector =>
                resolveHosts(
                  catalog,
                  selector,
                  await auth.getOwnServiceCredentials(),
                ),
            }),
        });
        deps.lifecycle.addStartupHook(() =>
          scheduler.start(config.scheduleIntervalMs),
        );
        deps.lifecycle.addShutdownHook(async () => {
          await scheduler.stop();
          await executor.shutdown();
        });

        deps.permissionsRegistry.addPermissions([
          jobsReadPermission,
          jobsManagePermission,
          jobsRunPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            store,
            executor,
            catalog,
            auth,
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
