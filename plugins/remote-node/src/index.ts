/**
 * opsdeck's shared SSH core: the only SSH client in opsdeck.
 *
 * @packageDocumentation
 */
export { SshConnectionPool } from './SshConnectionPool';
export {
  InMemoryHostKeyStore,
  hostKeyFingerprint,
  hostKeyId,
  type HostKeyStore,
} from './hostKeys';
export {
  fanOut,
  type FanOutContext,
  type FanOutOptions,
  type FanOutResult,
} from './fanOut';
export { shellQuote } from './shell';
export * from './errors';
export type * from './types';
export {
  hostKeyStoreServiceRef,
  remoteNodeServiceRef,
  remoteNodeServiceFactory,
} from './service';
