import { InputError } from '@backstage/errors';
import { createCredentialResolver } from '@opsdeck/plugin-remote-node';
import {
  secretTarget,
  type SecretTarget,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import type { TargetHost } from '../model';

/** The part of the vault service a run uses. */
export type RunVault = Pick<VaultService, 'getSecret'>;

/** What a host's SSH login is taken out of the vault for. */
export function hostSecretTarget(host: TargetHost): SecretTarget {
  return secretTarget({
    ref: host.entityRef,
    owner: host.owner,
    system: host.system,
    environment: host.environment,
  });
}

/**
 * SSH credentials of hosts for one run (the shared credential resolver of
 * remote-node), plus secret parameters: each is taken out for `job-secret`
 * for the job, once per owner/system/environment of the hosts it goes to,
 * on behalf of the person the run acts for.
 */
export function createRunCredentials(options: {
  vault: RunVault;
  defaultCredential?: string;
  jobId: string;
  /** The person the run acts for (user entity ref). */
  actor?: string;
}) {
  const resolver = createCredentialResolver({
    vault: options.vault,
    defaultCredential: options.defaultCredential,
    defaultCredentialSetting: 'opsdeck.jobs.defaultCredential',
    actor: options.actor,
  });
  return {
    ssh: (host: TargetHost) =>
      resolver.ssh({
        credential: host.credential,
        loginUser: host.loginUser,
        target: hostSecretTarget(host),
      }),
    /**
     * The value of a secret parameter (the password of the named credential),
     * taken out for every host the script will run on.
     */
    async parameter(name: string, hosts: TargetHost[]): Promise<string> {
      let value: string | undefined;
      const targets = hosts.length > 0 ? hosts : [undefined];
      for (const host of targets) {
        const s = await resolver.secret(name, 'job-secret', {
          ...(host ? hostSecretTarget(host) : {}),
          ref: `job:${options.jobId}`,
        });
        if (s.type !== 'password') {
          throw new InputError(
            `Secret parameters need a password credential; '${name}' is not one`,
          );
        }
        value = s.password;
      }
      return value!;
    },
  };
}

export type RunCredentials = ReturnType<typeof createRunCredentials>;
