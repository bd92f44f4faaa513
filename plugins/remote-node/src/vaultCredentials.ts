import { InputError } from '@backstage/errors';
import type { SshCredentials } from './types';

/** A secret as the vault returns it (`vaultServiceRef.getSecret`). */
export type VaultSecret = {
  type: 'ssh-key' | 'password';
  username?: string;
  privateKey?: string;
  password?: string;
};

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
 * SSH credentials of hosts for one run (a job run, a distribution): the host's
 * `spec.credential` names a vault credential (else `defaultCredential`), the
 * login user is the host's `spec.loginUser`, else the credential's username.
 * Each credential is read once per run and dropped with it, so a run over many
 * hosts does not decrypt the same secret per host.
 */
export function createRunSshCredentials(options: {
  getSecret(name: string): Promise<VaultSecret>;
  defaultCredential?: string;
  /** Config key named in the error when a host has no credential. */
  defaultCredentialSetting: string;
}) {
  const cache = new Map<string, Promise<VaultSecret>>();
  const secret = (name: string) => {
    let s = cache.get(name);
    if (!s) {
      s = options.getSecret(name);
      cache.set(name, s);
    }
    return s;
  };
  const ssh = async (host: {
    credential?: string;
    loginUser?: string;
  }): Promise<SshCredentials> => {
    const name = host.credential ?? options.defaultCredential;
    if (!name) {
      throw new InputError(
        `Host has no credential and ${options.defaultCredentialSetting} is not set`,
      );
    }
    const s = await secret(name);
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
