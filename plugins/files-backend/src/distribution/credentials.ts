import {
  createCredentialResolver,
  type SshCredentials,
} from '@opsdeck/plugin-remote-node';
import type { SecretTarget, VaultService } from '@opsdeck/plugin-vault-node';

/** Turns a distribution host into SSH credentials. */
export type HostCredentials = (host: {
  host: string;
  credential?: string;
  loginUser?: string;
}) => Promise<SshCredentials>;

/**
 * SSH logins of one distribution run through remote-node's credential
 * resolver: each host's credential is taken out for `ssh-login` with the
 * host's owner, system and environment as the catalog holds them now
 * (`targets`, by entity ref), on behalf of whoever started the distribution.
 * Read once per credential and target owner/system/environment per run, so no
 * secret outlives the run.
 */
export function createRunCredentialResolver(options: {
  vault: Pick<VaultService, 'getSecret'>;
  targets: ReadonlyMap<string, SecretTarget>;
  actor?: string;
  defaultCredential?: string;
}): HostCredentials {
  const resolver = createCredentialResolver({
    vault: options.vault,
    actor: options.actor,
    defaultCredential: options.defaultCredential,
    defaultCredentialSetting: 'opsdeck.files.defaultCredential',
  });
  return h =>
    resolver.ssh({
      credential: h.credential,
      loginUser: h.loginUser,
      target: options.targets.get(h.host) ?? { ref: h.host },
    });
}
