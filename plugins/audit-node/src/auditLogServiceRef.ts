import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { AuditLogService } from './AuditLogService';
import { DatabaseAuditLog } from './DatabaseAuditLog';

/**
 * The audit log, read in bulk (see {@link AuditLogService}). By default it
 * opens the audit plugin's database the way opsdeck's auditor does, with the
 * same configuration (`backend.database`, per-plugin overrides included).
 *
 * @public
 */
export const auditLogServiceRef = createServiceRef<AuditLogService>({
  id: 'opsdeck.audit.log',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        rootLogger: coreServices.rootLogger,
        rootLifecycle: coreServices.rootLifecycle,
      },
      async factory({ config, rootLogger, rootLifecycle }) {
        const logger = rootLogger.child({ plugin: 'audit', service: 'log' });
        const database = DatabaseManager.fromConfig(config, {
          rootLogger,
          rootLifecycle,
        }).forPlugin('audit', {
          logger,
          lifecycle: {
            addStartupHook: rootLifecycle.addStartupHook.bind(rootLifecycle),
            addShutdownHook: rootLifecycle.addShutdownHook.bind(rootLifecycle),
          },
        });
        return new DatabaseAuditLog(await database.getClient());
      },
    }),
});
