import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  monitoringPermissions,
  monitoringRuleManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { createRateLimiter } from '@opsdeck/plugin-opsdeck-node';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { AckService } from './alerts/AckService';
import { AlertRouter } from './alerts/AlertRouter';
import { runDeliveryRetries } from './alerts/lease';
import { pruneAlerts, resolveStaleAlerts } from './alerts/retention';
import { readMonitoringConfig } from './config';
import { AlertStore } from './database/AlertStore';
import { ProbeStore } from './database/ProbeStore';
import { OnCallStore } from './database/OnCallStore';
import { RuleStore } from './database/RuleStore';
import { OnCallService } from './oncall/OnCallService';
import { BlackboxPublisher } from './probes/BlackboxPublisher';
import { ProbeService } from './probes/ProbeService';
import { ProcessProber } from './probes/ProcessProber';
import { allowList, serversLookup } from './probes/targets';
import { RulePublisher } from './rules/RulePublisher';
import { RuleService } from './rules/RuleService';
import { createRouter } from './service/router';

/**
 * opsdeck monitoring (/api/monitoring): Prometheus HTTP service discovery
 * from the catalog, and the alert router Alertmanager's webhook posts to.
 *
 * @public
 */
export const monitoringPlugin = createBackendPlugin({
  pluginId: 'monitoring',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
        ssh: remoteNodeServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const { auth, catalog, logger } = deps;
        const config = readMonitoringConfig(deps.rootConfig);
        const store = await AlertStore.create({ database: deps.database });
        const baseUrl = deps.rootConfig.getOptionalString('app.baseUrl');
        const oncall = new OnCallService({
          store: new OnCallStore(await deps.database.getClient()),
          catalog,
          auth,
        });
        const alerts = new AlertRouter({
          store,
          config,
          logger,
          notifications: deps.notifications,
          // the people on call for a group: paged beside its channels
          onCallFor: (group, at) => oncall.onCallFor(group, at),
          ownerOf: async ref => {
            const entity = await catalog.getEntityByRef(ref, {
              credentials: await auth.getOwnServiceCredentials(),
            });
            const owner = (entity?.spec as { owner?: unknown } | undefined)
              ?.owner;
            if (typeof owner !== 'string' || !owner) return undefined;
            return stringifyEntityRef(
              parseEntityRef(owner, {
                defaultKind: 'group',
                defaultNamespace: entity?.metadata.namespace ?? 'default',
              }),
            ).toLocaleLowerCase('en-US');
          },
          secretOf: async channel => {
            const secret = await deps.vault.getSecret(
              channel.secretCredential!,
              {
                use: 'alert-channel',
                for: {
                  ref: `monitoring-channel:${channel.name}`,
                  owner: channel.owner,
                },
              },
            );
            if (secret.type !== 'password') {
              throw new Error('the credential is not a password');
            }
            return secret.password;
          },
          linkOf: baseUrl
            ? event => `${baseUrl}/monitoring/alerts/${event.id}`
            : undefined,
        });
        // failed deliveries are sent again, by one replica at a time;
        // deliveries cut off while sending (a stopped backend) are marked
        // unknown, logged and audited, never resent
        await deps.scheduler.scheduleTask({
          id: 'opsdeck-monitoring-retry-deliveries',
          scope: 'global',
          frequency: { seconds: 60 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            await runDeliveryRetries({
              alerts,
              now: new Date(),
              auditor: deps.auditor,
              logger,
            });
          },
        });
        // unacknowledged firing alerts are escalated (opsdeck.monitoring.
        // escalation); each step is claimed by one conditional UPDATE, so
        // even overlapping runs on two replicas send it once
        if (config.escalation) {
          await deps.scheduler.scheduleTask({
            id: 'opsdeck-monitoring-escalate-alerts',
            scope: 'global',
            frequency: { seconds: 60 },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 45 },
            fn: async () => {
              await alerts.escalate(new Date());
            },
          });
        }
        // stale firing alerts and retention of the alert history, by one
        // replica at a time
        await deps.scheduler.scheduleTask({
          id: 'opsdeck-monitoring-prune-alerts',
          scope: 'global',
          frequency: { hours: 1 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 5 },
          fn: async () => {
            // firing alerts Alertmanager stopped sending are resolved first,
            // then fall under the retention like any resolved alert
            await resolveStaleAlerts({
              store,
              staleAfterHours: config.alertStaleAfterHours,
              now: new Date(),
              auditor: deps.auditor,
              logger,
            });
            await pruneAlerts({
              store,
              retentionDays: config.alertRetentionDays,
              now: new Date(),
              auditor: deps.auditor,
              logger,
            });
          },
        });
        deps.permissionsRegistry.addPermissions(monitoringPermissions);
        const acks = new AckService({
          store,
          catalog,
          auth,
          userInfo: deps.userInfo,
          isManager: async credentials =>
            (
              await deps.permissions.authorize(
                [{ permission: monitoringRuleManagePermission }],
                { credentials },
              )
            )[0].result === AuthorizeResult.ALLOW,
        });
        const rules = new RuleService({
          store: new RuleStore(await deps.database.getClient()),
          publisher: new RulePublisher({
            rulesFile: config.rulesFile,
            prometheusUrl: config.prometheusUrl,
            promtool: config.promtool,
          }),
          alertmanagerUrl: config.alertmanagerUrl,
        });
        const probeStore = new ProbeStore(await deps.database.getClient());
        const probes = new ProbeService({
          store: probeStore,
          publisher: new BlackboxPublisher(config.probes),
          allow: allowList(config.probes.allowTargets),
          minIntervalSeconds: config.probes.minIntervalSeconds,
          lookup: config.probes.dnsServers?.length
            ? serversLookup(config.probes.dnsServers)
            : undefined,
        });
        // modules written by an older version get this one's (Host header
        // and TLS server name of pinned targets); a failure is only logged
        if (config.probes.configFile) {
          await probes
            .republish()
            .catch(e => logger.warn(`blackbox modules not republished: ${e}`));
        }
        deps.httpRouter.use(
          await createRouter({
            config,
            alerts,
            acks,
            oncall,
            rules,
            probes,
            processes: new ProcessProber({
              store: probeStore,
              ssh: deps.ssh,
              vault: deps.vault,
              entityOf: async ref =>
                catalog.getEntityByRef(ref, {
                  credentials: await auth.getOwnServiceCredentials(),
                }),
              defaultCredential: config.probes.defaultCredential,
              logger,
            }),
            catalog,
            auth,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger,
            sends: await createRateLimiter(await deps.database.getClient(), {
              code: 'monitoring-rate-limited',
              limit: config.sendsPerMinute,
              windowMs: 60_000,
            }),
          }),
        );
      },
    });
  },
});
