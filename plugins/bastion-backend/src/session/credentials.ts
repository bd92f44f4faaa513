import { InputError } from '@backstage/errors';
import type { SshCredentials } from '@opsdeck/plugin-remote-node';
import type { BastionHost } from './hosts';

/** A secret as the vault returns it (`vaultServiceRef.getSecret`). */
export type VaultSecret = {
  type: 'ssh-key' | 'password';
  username?: string;
  privateKey?: string;
  password?: string;
};

/**
 * SSH credentials for a session: the host's vault credential (or the default one), logging in
 * as the grant's login user.
 */
export function createVaultCredentials(options: {
  getSecret(name: string): Promise<VaultSecret>;
  defaultCredential?: string;
}) {
  return async (
    host: BastionHost,
    loginUser: string,
  ): Promise<SshCredentials> => {
    const name = host.credential ?? options.defaultCredential;
    if (!name) {
      throw new InputError(
        `Host ${host.name} has no credential and no default is set`,
      );
    }
    const secret = await options.getSecret(name);
    return secret.type === 'ssh-key'
      ? { username: loginUser, privateKey: secret.privateKey }
      : { username: loginUser, password: secret.password };
  };
}
