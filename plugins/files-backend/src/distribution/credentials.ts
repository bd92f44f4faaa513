import { InputError } from '@backstage/errors';
import type { SshCredentials } from '@opsdeck/plugin-remote-node';

/** A secret as the vault returns it (`vaultServiceRef.getSecret`). */
export type VaultSecret = {
  type: 'ssh-key' | 'password';
  username?: string;
  privateKey?: string;
  password?: string;
};

/** Turns a host's credential name and login user into SSH credentials. */
export type CredentialResolver = (host: {
  credential?: string;
  loginUser?: string;
}) => Promise<SshCredentials>;

/**
 * Resolves through the vault, reading each credential once per resolver: a
 * resolver lives for one distribution run, so no secret outlives the run.
 */
export function createRunCredentialResolver(options: {
  getSecret(name: string): Promise<VaultSecret>;
  defaultCredential?: string;
}): CredentialResolver {
  const secrets = new Map<string, Promise<VaultSecret>>();
  return async host => {
    const name = host.credential ?? options.defaultCredential;
    if (!name) {
      throw new InputError(
        'Host has no credential and opsdeck.files.defaultCredential is not set',
      );
    }
    let secret = secrets.get(name);
    if (!secret) {
      secret = options.getSecret(name);
      secrets.set(name, secret);
    }
    const s = await secret;
    const username = host.loginUser ?? s.username;
    if (!username) {
      throw new InputError(
        `Host has no login user and credential '${name}' has no username`,
      );
    }
    return s.type === 'ssh-key'
      ? { username, privateKey: s.privateKey }
      : { username, password: s.password };
  };
}
