import {
  createRunSshCredentials,
  type SshCredentials,
  type VaultSecret,
} from '@opsdeck/plugin-remote-node';

export type { VaultSecret };

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
  return createRunSshCredentials({
    ...options,
    defaultCredentialSetting: 'opsdeck.files.defaultCredential',
  }).ssh;
}
