import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { AuditStore } from './AuditStore';
import { DatabaseAuditStore } from './DatabaseAuditStore';

/**
 * The audit store of one backend, shared by opsdeck's auditor (which writes
 * it) and the audit plugin (which serves it).
 *
 * @public
 */
export interface AuditStoreService {
  /**
   * The store once its database is open and migrated; rejects when the
   * database cannot be opened. Always the same promise.
   */
  store(): Promise<AuditStore>;
}

/**
 * The audit store, one per backend: the backend system creates it once and
 * hands the same instance to the auditor's root context and to the audit
 * plugin, so both use one connection pool, migrations run once and both see
 * the same rows (an in-memory SQLite database included).
 *
 * The default factory opens the audit plugin's database through
 * `DatabaseManager` with the backend's configuration (`backend.database`,
 * per-plugin overrides included): a root-scoped service cannot depend on the
 * plugin-scoped `coreServices.database`. The database is opened in the
 * background; an error is logged and left to the callers of `store()`.
 *
 * @public
 */
export const auditStoreServiceRef = createServiceRef<AuditStoreService>({
  id: 'opsdeck.audit.store',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        rootLogger: coreServices.rootLogger,
        rootLifecycle: coreServices.rootLifecycle,
      },
      factory({ config, rootLogger, rootLifecycle }) {
        const logger = rootLogger.child({ plugin: 'audit', service: 'store' });
        const store = Promise.resolve().then(() =>
          DatabaseAuditStore.create({
            database: DatabaseManager.fromConfig(config, {
              rootLogger,
              rootLifecycle,
            }).forPlugin('audit', {
              logger,
              lifecycle: {
                addStartupHook:
                  rootLifecycle.addStartupHook.bind(rootLifecycle),
                addShutdownHook:
                  rootLifecycle.addShutdownHook.bind(rootLifecycle),
              },
            }),
            logger,
          }),
        );
        store.catch(error =>
          logger.error(
            'Could not open the audit database; audit events are only logged',
            error,
          ),
        );
        return { store: () => store };
      },
    }),
});
