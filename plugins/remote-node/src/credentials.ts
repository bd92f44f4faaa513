import { InputError } from '@backstage/errors';
import type {
  SecretTarget,
  SecretUse,
  VaultSecret,
  VaultService,
} from '@opsdeck/plugin-vault-node';
import type { SshCredentials } from './types';

/** A host whose SSH login comes from the vault. */
export interface CredentialedHost {
  /** Vault credential name (the host's `spec.credential`); else the resolver's default. */
  credential?: string;
  /** Login user (the host's `spec.loginUser`, a grant's login user); else the credential's username. */
  loginUser?: string;
  /**
   * What the secret is taken out for: the host's entity ref with its owner,
   * system and environment as the catalog or the CMDB holds them.
   */
  target: SecretTarget;
}

/**
 * Turns hosts into SSH credentials and takes other secrets out of the vault
 * for one unit of work (a job run, a distribution, a fact collection, a
 * bastion session): opsdeck's only credential resolver.
 */
export interface CredentialResolver {
  /** The SSH login of a host: its credential taken out for `ssh-login`. */
  ssh(host: CredentialedHost): Promise<SshCredentials>;
  /** A secret taken out for `use` and `target`, on behalf of the resolver's actor. */
  secret(
    name: string,
    use: SecretUse['use'],
    target: SecretTarget,
  ): Promise<VaultSecret>;
}

/** SSH credentials from a vault secret, logging in as `username`. */
export function sshCredentialsFromSecret(
  secret: VaultSecret,
  username: string,
): SshCredentials {
  return secret.type === 'ssh-key'
    ? { username, privateKey: secret.privateKey }
    : { username, password: secret.password };
}

/**
 * The credential resolver of one unit of work. Every secret is taken out of
 * the vault with its use, target and actor, so the vault checks the
 * credential's policy at use. Answers (and refusals) are kept for the
 * resolver's life per credential, use and the target's owner, system and
 * environment (the inputs of the policy), so a run over many hosts of one
 * owner does not decrypt the same secret per host; drop the resolver when
 * the work ends so no secret outlives it.
 */
export function createCredentialResolver(options: {
  vault: Pick<VaultService, 'getSecret'>;
  /** Credential of hosts that name none. */
  defaultCredential?: string;
  /** Config key named in the error when a host has no credential. */
  defaultCredentialSetting: string;
  /** The person on whose behalf (user entity ref). */
  actor?: string;
}): CredentialResolver {
  const cache = new Map<string, Promise<VaultSecret>>();
  const secret = (
    name: string,
    use: SecretUse['use'],
    target: SecretTarget,
  ): Promise<VaultSecret> => {
    const key = JSON.stringify([
      name,
      use,
      target.owner ?? null,
      target.system ?? null,
      target.environment ?? null,
    ]);
    let s = cache.get(key);
    if (!s) {
      s = options.vault.getSecret(name, {
        use,
        for: target,
        ...(options.actor ? { actor: options.actor } : {}),
      });
      cache.set(key, s);
    }
    return s;
  };
  const ssh = async (host: CredentialedHost): Promise<SshCredentials> => {
    const name = host.credential ?? options.defaultCredential;
    if (!name) {
      throw new InputError(
        `Host has no credential and ${options.defaultCredentialSetting} is not set`,
      );
    }
    const s = await secret(name, 'ssh-login', host.target);
    const username = host.loginUser ?? s.username;
    if (!username) {
      throw new InputError(
        `Host has no login user and credential '${name}' has no username`,
      );
    }
    return sshCredentialsFromSecret(s, username);
  };
  return { secret, ssh };
}
