import { InputError } from '@backstage/errors';
import {
  createRunSshCredentials,
  type VaultSecret,
} from '@opsdeck/plugin-remote-node';

export type { VaultSecret };

export type GetSecret = (name: string) => Promise<VaultSecret>;

/**
 * SSH credentials of hosts for one run (see `createRunSshCredentials`), plus
 * secret parameters read through the same per-run cache.
 */
export function createRunCredentials(options: {
  getSecret: GetSecret;
  defaultCredential?: string;
}) {
  const { secret, ssh } = createRunSshCredentials({
    ...options,
    defaultCredentialSetting: 'opsdeck.jobs.defaultCredential',
  });
  return {
    ssh,
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
