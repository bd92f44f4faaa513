import { InputError } from '@backstage/errors';
import type { SshCredentials } from '@opsdeck/plugin-remote-node';

/** A secret as the vault returns it (`vaultServiceRef.getSecret`). */
export type VaultSecret = {
  type: 'ssh-key' | 'password';
  username?: string;
  privateKey?: string;
  password?: string;
};

export type GetSecret = (name: string) => Promise<VaultSecret>;

/**
 * SSH credentials of hosts for one run, as the CMDB's fact collection does it:
 * the host's `spec.credential` names a vault credential, the login user is the
 * host's `spec.loginUser`, else the credential's username. Each credential is
 * read once per run and dropped with it.
 */
export function createRunCredentials(options: {
  getSecret: GetSecret;
  defaultCredential?: string;
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
  return {
    async ssh(host: {
      credential?: string;
      loginUser?: string;
    }): Promise<SshCredentials> {
      const name = host.credential ?? options.defaultCredential;
      if (!name) {
        throw new InputError(
          'Host has no credential and opsdeck.jobs.defaultCredential is not set',
        );
      }
      const s = await secret(name);
      const username = host.loginUser ?? s.username;
      if (!username) {
        throw new InputError(
          `Host has no login user and credential '${name}' has no username`,
        );
      }
      return s.type === 'ssh-key'
        ? { username, privateKey: s.privateKey }
        : { username, password: s.password };
    },
    /** The value of a secret parameter: the password of the named credential. */
    async parameter(name: string): Promise<string> {
      const s = await secret(name);
      if (s.type !== 'password' || s.password === undefined) {
        throw new InputError(
          `Secret parameters need a password credential; '${name}' is not one`,
        );
      }
      return s.password;
    },
  };
}

export type RunCredentials = ReturnType<typeof createRunCredentials>;
