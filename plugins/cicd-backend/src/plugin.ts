import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  cicdBuildReadPermission,
  cicdAnyOwnerPermission,
  cicdBuildRebuildPermission,
  cicdCauseManagePermission,
  cicdAlertManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { alertChannelsServiceRef } from '@opsdeck/plugin-monitoring-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { AlertDelivery, DEFAULT_LEASE_MS } from './alerts/AlertDelivery';
import { AlertEngine } from './alerts/AlertEngine';
import { BuildPoller } from './alerts/BuildPoller';
import { alertChannelsFor, readCicdConfig } from './config';
import { AlertStore } from './database/AlertStore';
import { CauseStore } from './database/CauseStore';
import { DeploymentStore } from './database/DeploymentStore';
import { IntakeGate } from './database/IntakeGate';
import { IntakeStore } from './database/IntakeStore';
import { OutboxStore } from './database/OutboxStore';
import {
  createIntakeRouter,
  DEPLOY_PATH,
  INTAKE_PATH,
} from './intake/intakeRouter';
import { IntakeService } from './intake/IntakeService';
import { applyCicdMigrations } from './database/migrations';
import { JenkinsGateway } from './jenkins/JenkinsGateway';
import { BUILT_IN_CAUSES } from './locator/knowledgeBase';
import { CicdService } from './service/CicdService';
import { KnowledgeBase } from './service/knowledge';
import { createRouter } from './service/router';

/**
 * CI/CD (/api/cicd): Jenkins builds of catalog entities and a failure
 * locator that points at the lines explaining a failed build.
 *
 * @public
 */
export const cicdPlugin = createBackendPlugin({
  pluginId: 'cicd',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        alertChannels: alertChannelsServiceRef,
      },
      async init(deps) {
        const config = readCicdConfig(deps.rootConfig);
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyCicdMigrations(knex);
        }
        const gateway = new JenkinsGateway(config, async (instance, actor) => {
          if (!instance.credential) return undefined;
          // Taken out of the vault at each use; never logged or returned. A
          // person's request uses it on their behalf (job-secret); the alert
          // poller, which has no person, for ci-poll.
          const secret = await deps.vault.getSecret(instance.credential, {
            use: actor ? 'job-secret' : 'ci-poll',
            for: { ref: `job:jenkins/${instance.name}` },
            actor,
          });
          if (secret.type !== 'password' || !secret.username) {
            throw new NotAllowedError(
              `Vault credential ${instance.credential} must be a password with a username (Jenkins user + API token)`,
            );
          }
          return { username: secret.username, token: secret.password };
        });
        const intakeStore = new IntakeStore(knex);
        const deployments = new DeploymentStore(knex);
        const alertStore = new AlertStore(knex);
        const service = new CicdService({
          config,
          gateway,
          // built-in causes and the ones people stored (cicd_causes)
          knowledge: new KnowledgeBase(BUILT_IN_CAUSES, new CauseStore(knex)),
          intake: intakeStore,
          deployments,
          alerts: alertStore,
        });
        const appBaseUrl = deps.rootConfig.getOptionalString('app.baseUrl');
        const { delivery: d } = config.alerts;
        const delivery = new AlertDelivery({
          store: new OutboxStore(knex),
          notifications: deps.notifications,
          channels: deps.alertChannels,
          logger: deps.logger,
          auditor: deps.auditor,
          limits: {
            maxAttempts: d.maxAttempts,
            backoffMs: d.backoffSeconds * 1000,
            maxBackoffMs: d.maxBackoffSeconds * 1000,
            leaseMs: DEFAULT_LEASE_MS,
            batch: 50,
            retentionMs: 30 * 24 * 3_600_000,
          },
        });
        // every replica retries what is due: each row is claimed by one
        // (one atomic UPDATE), so none is sent twice
        await deps.scheduler.scheduleTask({
          id: 'opsdeck-cicd-alert-delivery',
          scope: 'local',
          frequency: { seconds: d.retrySeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 15 },
          fn: async () => {
            await delivery.run();
          },
        });
        const engine = new AlertEngine({
          store: alertStore,
          delivery,
          mainBranches: config.alerts.mainBranches,
          logger: deps.logger,
          channelsFor: instance => alertChannelsFor(config, instance),
        });
        if (config.alerts.enabled && config.instances.length) {
          const poller = new BuildPoller({
            catalog: deps.catalog,
            auth: deps.auth,
            service,
            gateway,
            engine,
            logger: deps.logger,
            buildsPerJob: config.alerts.buildsPerJob,
            maxBuildsPerPoll: config.alerts.maxBuildsPerPoll,
            appBaseUrl,
          });
          // one replica at a time (global task); what was seen is in the DB
          await deps.scheduler.scheduleTask({
            id: 'opsdeck-cicd-build-alerts',
            scope: 'global',
            frequency: { seconds: config.alerts.pollSeconds },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 20 },
            fn: () => poller.tick(),
          });
        }
        const intake = new IntakeService({
          config: config.intake,
          store: intakeStore,
          deployments,
          gate: new IntakeGate(knex, {
            limit: config.intake.failureLimit,
            windowMs: config.intake.failureWindowSeconds * 1000,
          }),
          // only the claimed system's own credential, for that system: the
          // vault's audit and policy see `cicd-intake:<system>`
          secret: async system => {
            const entry = config.intake.systems.get(system);
            if (!entry) throw new Error(`no intake system ${system}`);
            const secret = await deps.vault.getSecret(entry.credential, {
              use: 'ci-intake',
              for: { ref: `cicd-intake:${system}`, owner: entry.owner },
            });
            if (secret.type !== 'password') {
              throw new Error(
                `the intake credential of ${system} is not a password`,
              );
            }
            return secret.password;
          },
          catalog: deps.catalog,
          auth: deps.auth,
          service,
          engine,
          logger: deps.logger,
          appBaseUrl,
        });
        deps.permissionsRegistry.addPermissions([
          cicdBuildReadPermission,
          cicdBuildRebuildPermission,
          cicdAnyOwnerPermission,
          cicdCauseManagePermission,
          cicdAlertManagePermission,
        ]);
        // the signature is the intake's credential (checked before the body
        // is parsed); every other route needs a Backstage credential
        for (const path of [INTAKE_PATH, DEPLOY_PATH]) {
          deps.httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
        }
        deps.httpRouter.use(
          createIntakeRouter({
            intake,
            auditor: deps.auditor,
            logger: deps.logger,
          }),
        );
        deps.httpRouter.use(
          await createRouter({
            service,
            delivery,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog: deps.catalog,
            userInfo: deps.userInfo,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
