import { InputError } from '@backstage/errors';
import {
  sshCredentialsFromSecret,
  type SshCredentials,
  type VaultSecret,
} from '@opsdeck/plugin-remote-node';
import type { BastionHost } from './hosts';

export type { VaultSecret };

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
    return sshCredentialsFromSecret(await options.getSecret(name), loginUser);
  };
}
