import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type ServiceFactory,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { DatabaseHostKeyStore } from './DatabaseHostKeyStore';
import { type HostKeyStore, InMemoryHostKeyStore } from './hostKeys';
import { SshConnectionPool } from './SshConnectionPool';

/**
 * The database id under which the pins are kept: `backstage_plugin_remote-node` on PostgreSQL,
 * `remote-node.sqlite` in a SQLite directory (overrides under `backend.database.plugin.remote-node`).
 */
export const HOST_KEYS_DATABASE_ID = 'remote-node';

/**
 * Where pinned SSH host keys are kept: ONE table for the whole backend, whichever plugin connects.
 *
 * Why a root service with its own connection: the pool is a root service shared by every plugin
 * (cmdb, jobs, bastion, files …), so its pins cannot live in any one plugin's database (a root
 * service cannot depend on the plugin-scoped `coreServices.database`, and per-plugin tables would
 * let one plugin trust a key another refused). The factory therefore opens the database of the
 * fixed id `remote-node` itself through Backstage's `DatabaseManager`, with the same
 * `backend.database` config as the plugins. Without `backend.database` (unit tests with a bare
 * mock config) it falls back to process memory and says so in the log.
 */
export const hostKeyStoreServiceRef = createServiceRef<HostKeyStore>({
  id: 'opsdeck.remote-node.host-keys',
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
        const logger = rootLogger.child({ service: 'remote-node-host-keys' });
        if (!config.has('backend.database')) {
          logger.warn(
            'backend.database is not configured: SSH host-key pins are kept in memory and forgotten on restart',
          );
          return new InMemoryHostKeyStore();
        }
        const database = DatabaseManager.fromConfig(config, {
          rootLogger,
          rootLifecycle,
        }).forPlugin(HOST_KEYS_DATABASE_ID, {
          logger,
          lifecycle: {
            addStartupHook: rootLifecycle.addStartupHook.bind(rootLifecycle),
            addShutdownHook: rootLifecycle.addShutdownHook.bind(rootLifecycle),
          },
        });
        return DatabaseHostKeyStore.create({ database });
      },
    }),
});

/** The process-wide SSH connection pool that every opsdeck plugin uses. */
export const remoteNodeServiceRef: ServiceRef<
  SshConnectionPool,
  'root',
  'singleton'
> = createServiceRef<SshConnectionPool>({
  id: 'opsdeck.remote-node',
  scope: 'root',
  defaultFactory: async service => remoteNodeServiceFactory(service),
});

/**
 * Reads optional settings from `opsdeck.remoteNode` in app-config:
 * maxConnectionsPerHost, maxChannelsPerConnection, idleTimeoutMs, connectTimeoutMs,
 * keepaliveIntervalMs, killGraceMs, maxOutputBytes.
 */
export function remoteNodeServiceFactory(
  service: ServiceRef<
    SshConnectionPool,
    'root',
    'singleton'
  > = remoteNodeServiceRef,
): ServiceFactory<SshConnectionPool, 'root', 'singleton'> {
  return createServiceFactory({
    service,
    deps: {
      config: coreServices.rootConfig,
      lifecycle: coreServices.rootLifecycle,
      logger: coreServices.rootLogger,
      hostKeyStore: hostKeyStoreServiceRef,
    },
    factory({ config, lifecycle, logger, hostKeyStore }) {
      const c = config.getOptionalConfig('opsdeck.remoteNode');
      const num = (key: string) => c?.getOptionalNumber(key);
      const pool = new SshConnectionPool({
        hostKeyStore,
        logger: logger.child({ service: 'remote-node' }),
        maxConnectionsPerHost: num('maxConnectionsPerHost'),
        maxChannelsPerConnection: num('maxChannelsPerConnection'),
        idleTimeoutMs: num('idleTimeoutMs'),
        connectTimeoutMs: num('connectTimeoutMs'),
        keepaliveIntervalMs: num('keepaliveIntervalMs'),
        killGraceMs: num('killGraceMs'),
        maxOutputBytes: num('maxOutputBytes'),
      });
      lifecycle.addShutdownHook(() => pool.close());
      return pool;
    },
  });
}
