import { NotAllowedError } from '@backstage/errors';
import type { KubernetesRequestAuth } from '@backstage/plugin-kubernetes-common';
import type {
  AuthenticationStrategy,
  AuthMetadata,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import { AUTH_META, TOKEN_USE } from '../model';
import { actorOf, currentCaller, noteTokenError, tokenError } from './caller';

/**
 * The credential of `cluster`, or a NotAllowedError saying why the caller
 * has none (for the proxy and the actions, which need a token).
 */
export function requireToken(
  cluster: ClusterDetails,
  credential: KubernetesCredential,
): KubernetesCredential {
  if (credential.type !== 'anonymous') return credential;
  throw new NotAllowedError(
    `No token for cluster ${cluster.name}: ${
      tokenError(cluster.name) ?? 'none was issued'
    }`,
  );
}

/**
 * The kubernetes backend's auth strategy `opsdeck`: a cluster's
 * service-account token is taken out of the vault at each use, for the
 * cluster resource (owner, system, environment from the catalog) and on
 * behalf of the person asking ({@link currentCaller}). Outside a request
 * there is no caller and no token. When the vault refuses (or has no such
 * credential), the credential is `anonymous` and the reason is noted for the
 * caller: the fetcher reports it as that cluster's error (other clusters
 * still answer), the proxy and the actions refuse with it. What the browser
 * sends as `auth` is ignored; the token never leaves the backend.
 */
export class VaultTokenStrategy implements AuthenticationStrategy {
  constructor(private readonly vault: Pick<VaultService, 'getSecret'>) {}

  async getCredential(
    cluster: ClusterDetails,
    _auth: KubernetesRequestAuth,
  ): Promise<KubernetesCredential> {
    const caller = currentCaller();
    if (!caller) {
      throw new NotAllowedError(
        `No token for cluster ${cluster.name} outside a request`,
      );
    }
    const meta = cluster.authMetadata;
    const name = meta[AUTH_META.credential];
    const ref = meta[AUTH_META.ref];
    if (!name || !ref) {
      throw new NotAllowedError(`Cluster ${cluster.name} names no credential`);
    }
    const actor = actorOf(caller);
    let secret;
    try {
      secret = await this.vault.getSecret(name, {
        use: TOKEN_USE,
        for: secretTarget({
          ref,
          owner: meta[AUTH_META.owner],
          system: meta[AUTH_META.system],
          environment: meta[AUTH_META.environment],
        }),
        ...(actor ? { actor } : {}),
      });
    } catch (error) {
      noteTokenError(cluster.name, (error as Error).message);
      return { type: 'anonymous' };
    }
    if (secret.type !== 'password' || !secret.password) {
      noteTokenError(
        cluster.name,
        `vault credential ${name} is not a token (a password credential holds it)`,
      );
      return { type: 'anonymous' };
    }
    return { type: 'bearer token', token: secret.password };
  }

  validateCluster(authMetadata: AuthMetadata): Error[] {
    return authMetadata[AUTH_META.credential]
      ? []
      : [new Error(`a cluster needs ${AUTH_META.credential}`)];
  }

  presentAuthMetadata(_authMetadata: AuthMetadata): AuthMetadata {
    return {};
  }
}
