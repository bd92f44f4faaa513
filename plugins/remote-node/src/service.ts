import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type ServiceFactory,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import { type HostKeyStore, InMemoryHostKeyStore } from './hostKeys';
import { SshConnectionPool } from './SshConnectionPool';

/**
 * Where pinned SSH host keys are kept. The default keeps them in memory; a database-backed
 * factory for this ref replaces it without touching the pool.
 */
export const hostKeyStoreServiceRef = createServiceRef<HostKeyStore>({
  id: 'opsdeck.remote-node.host-keys',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => new InMemoryHostKeyStore(),
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
