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
  type PendingHostKey,
} from './hostKeys';
export {
  DatabaseHostKeyStore,
  applyRemoteNodeMigrations,
} from './DatabaseHostKeyStore';
export {
  fanOut,
  type FanOutContext,
  type FanOutOptions,
  type FanOutResult,
} from './fanOut';
export { shellQuote } from './shell';
export {
  PARAM_NAME,
  wrapperCommand,
  wrapperStdin,
  type ScriptLanguage,
} from './scriptPayload';
export {
  loadShellSyntax,
  shellSyntaxErrors,
  shellSyntaxLoaded,
  withSyntaxTree,
  type ShellSyntaxError,
  type SyntaxNode,
} from './shellSyntax';
export * from './errors';
export type * from './types';
export {
  HOST_KEYS_DATABASE_ID,
  hostKeyStoreServiceRef,
  remoteNodeServiceRef,
  remoteNodeServiceFactory,
} from './service';
export {
  createCredentialResolver,
  sshCredentialsFromSecret,
  type CredentialedHost,
  type CredentialResolver,
} from './credentials';
