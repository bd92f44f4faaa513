import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  sqlChangeApprovePermission,
  sqlChangeCreatePermission,
  sqlChangeExecutePermission,
  sqlInstanceReadPermission,
  sqlQueryLogReadPermission,
  sqlQueryPermission,
  sqlSlowQueryReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { readSqlConfig } from './config';
import { Masker } from './console/masking';
import { DatabaseSqlStore } from './database/DatabaseSqlStore';
import { createRouter } from './service/router';
import { SqlService } from './service/SqlService';

/**
 * The sql plugin: SQL review, approved and audited changes with backup and
 * rollback, the read-only query console with masking, slow-query reports.
 * Instances are catalog Resources (type database/cache); passwords come from
 * the vault.
 *
 * @public
 */
export const sqlPlugin = createBackendPlugin({
  pluginId: 'sql',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = readSqlConfig(deps.rootConfig);
        const store = await DatabaseSqlStore.create({
          database: deps.database,
        });
        const service = new SqlService({
          store,
          catalog: deps.catalog,
          auth: deps.auth,
          getSecret: (name, use) => deps.vault.getSecret(name, use),
          masker: new Masker(config.maskingRules),
          limits: config.limits,
          logger: deps.logger,
          notifications: deps.notifications,
          auditor: deps.auditor,
          heartbeatMs: config.execution.heartbeatMs,
          slowQueries: {
            top: config.slowQueries.top,
            timeoutMs: config.slowQueries.timeoutMs,
            historyMs: config.slowQueries.historyMs,
          },
        });
        // Scheduled changes live in the database, so a restart loses none;
        // each due change is claimed by a status compare-and-set before it runs.
        await deps.scheduler.scheduleTask({
          id: 'sql-run-scheduled-changes',
          frequency: { seconds: config.scheduleIntervalSeconds },
          timeout: { hours: 1 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            const ran = await service.runDueChanges();
            if (ran.length > 0) {
              deps.logger.info(`Ran scheduled SQL changes: ${ran.join(', ')}`);
            }
          },
        });
        // A change left `executing` by a replica that stopped (its heartbeat
        // went stale) is failed at start-up and then every minute.
        await deps.scheduler.scheduleTask({
          id: 'sql-fail-interrupted-changes',
          frequency: { minutes: 1 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            const failed = await service.recoverInterruptedChanges(
              config.execution.staleAfterMs,
            );
            if (failed.length > 0) {
              deps.logger.warn(
                `Failed SQL changes interrupted during execution: ${failed.join(
                  ', ',
                )}`,
              );
            }
          },
        });
        // Slow-query snapshots of every instance; per-instance errors are
        // stored with the snapshot, so the task itself does not fail.
        await deps.scheduler.scheduleTask({
          id: 'sql-refresh-slow-queries',
          frequency: { minutes: config.slowQueries.refreshMinutes },
          timeout: { minutes: Math.max(config.slowQueries.refreshMinutes, 10) },
          initialDelay: { seconds: 30 },
          fn: async () => {
            // also prunes snapshots older than slowQueries.historyDays
            const { refreshed, failed, pruned } =
              await service.refreshAllSlowQuerySnapshots();
            deps.logger.info(
              `Slow-query snapshots: ${refreshed.length} refreshed, ${
                failed.length
              } failed${
                failed.length
                  ? ` (${failed.map(f => f.instanceRef).join(', ')})`
                  : ''
              }, ${pruned} old ones pruned`,
            );
          },
        });
        deps.permissionsRegistry.addPermissions([
          sqlInstanceReadPermission,
          sqlChangeCreatePermission,
          sqlChangeApprovePermission,
          sqlChangeExecutePermission,
          sqlQueryPermission,
          sqlQueryLogReadPermission,
          sqlSlowQueryReadPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            store,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
      },
    });
  },
});
