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
