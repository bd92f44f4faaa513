import {
  createCredentialResolver,
  type SshCredentials,
} from '@opsdeck/plugin-remote-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import type { BastionHost } from './hosts';

/**
 * SSH credentials for a session: the host's vault credential (or the default
 * one) taken out for `ssh-login` on this host, on behalf of the person who
 * opens the session, logging in as the grant's login user.
 */
export function createVaultCredentials(options: {
  vault: Pick<VaultService, 'getSecret'>;
  defaultCredential?: string;
}) {
  return async (
    host: BastionHost,
    loginUser: string,
    actor: string,
  ): Promise<SshCredentials> =>
    createCredentialResolver({
      vault: options.vault,
      defaultCredential: options.defaultCredential,
      defaultCredentialSetting: 'opsdeck.bastion.defaultCredential',
      actor,
    }).ssh({
      credential: host.credential,
      loginUser,
      target: secretTarget({
        ref: host.entityRef,
        owner: host.owner,
        system: host.system,
        environment: host.environment,
      }),
    });
}
