import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import type { SshCredentials } from '@opsdeck/plugin-remote-node';
import { readFile } from 'node:fs/promises';

/** A secret as the vault returns it (`vaultServiceRef.getSecret`). */
export type CredentialSecret = {
  type: 'ssh-key' | 'password';
  username?: string;
  privateKey?: string;
  password?: string;
};

/** Turns a host's credential name and login user into SSH credentials. */
export interface CredentialResolver {
  resolve(host: {
    credential?: string;
    loginUser?: string;
  }): Promise<SshCredentials>;
}

/**
 * A resolver that asks `inner` once per credential name and login user and
 * reuses the answer (or the failure). Meant for one collection run: hosts share
 * a handful of credentials, and each vault read is a database query plus a
 * decryption. Drop it when the run ends so no secret outlives the run.
 */
export function memoizeCredentialResolver(
  inner: CredentialResolver,
): CredentialResolver {
  const resolved = new Map<string, Promise<SshCredentials>>();
  return {
    resolve(host) {
      const key = `${host.credential ?? ''}\u0000${host.loginUser ?? ''}`;
      let credentials = resolved.get(key);
      if (!credentials) {
        credentials = inner.resolve(host);
        resolved.set(key, credentials);
      }
      return credentials;
    },
  };
}

/**
 * Resolves credentials through `getSecret(name)` (the vault service). A host
 * without a credential uses `defaultCredential` (config
 * `opsdeck.cmdb.defaultCredential`). The login user is the host's, else the
 * secret's username.
 */
export function createSecretCredentialResolver(options: {
  getSecret(name: string): Promise<CredentialSecret>;
  defaultCredential?: string;
}): CredentialResolver {
  return {
    async resolve(host) {
      const name = host.credential ?? options.defaultCredential;
      if (!name) {
        throw new InputError(
          'Host has no credential and opsdeck.cmdb.defaultCredential is not set',
        );
      }
      const secret = await options.getSecret(name);
      const username = host.loginUser ?? secret.username;
      if (!username) {
        throw new InputError(
          `Host has no login user and credential '${name}' has no username`,
        );
      }
      if (secret.type === 'ssh-key') {
        return { username, privateKey: secret.privateKey };
      }
      return { username, password: secret.password };
    },
  };
}

/**
 * Secrets from config, for development without the vault:
 * `opsdeck.cmdb.credentials.<name>.privateKeyFile` (and optional `username`).
 */
export function createConfigSecretReader(
  config: Config,
): (name: string) => Promise<CredentialSecret> {
  return async name => {
    const c = config.getOptionalConfig(`opsdeck.cmdb.credentials.${name}`);
    const file = c?.getOptionalString('privateKeyFile');
    if (!c || !file) {
      throw new NotFoundError(
        `No credential '${name}' in opsdeck.cmdb.credentials`,
      );
    }
    return {
      type: 'ssh-key',
      username: c.getOptionalString('username'),
      privateKey: await readFile(file, 'utf8'),
    };
  };
}
