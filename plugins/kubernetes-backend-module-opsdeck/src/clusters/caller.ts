import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who asks the kubernetes backend, for the length of one request. The
 * kubernetes backend's auth strategy is asked for a cluster's credential
 * without the caller (`getCredential(cluster, auth)`); opsdeck runs the
 * objects provider, the proxy and the actions inside {@link withCaller}, so
 * that the vault is asked on behalf of this person and never without one.
 */
const store = new AsyncLocalStorage<{
  credentials: BackstageCredentials;
  /** Why a cluster has no token for this caller (the vault's refusal), by cluster name. */
  tokenErrors: Map<string, string>;
}>();

/** Runs `fn` with `credentials` as the caller. */
export function withCaller<T>(
  credentials: BackstageCredentials,
  fn: () => T,
): T {
  return store.run({ credentials, tokenErrors: new Map() }, fn);
}

/** The caller of the current request, or undefined outside one. */
export function currentCaller(): BackstageCredentials | undefined {
  return store.getStore()?.credentials;
}

/** Notes why `cluster` has no token for the current caller. */
export function noteTokenError(cluster: string, reason: string) {
  store.getStore()?.tokenErrors.set(cluster, reason);
}

/** Why `cluster` has no token for the current caller, if it has none. */
export function tokenError(cluster: string): string | undefined {
  return store.getStore()?.tokenErrors.get(cluster);
}

/** The person (user entity ref) of a caller, undefined for a service. */
export function actorOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  return principal.type === 'user' ? principal.userEntityRef : undefined;
}
