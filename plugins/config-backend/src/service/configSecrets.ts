import { InputError, NotAllowedError } from '@backstage/errors';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigSet, ConfigVersion } from '@opsdeck/plugin-config-common';
import type { VaultService } from '@opsdeck/plugin-vault-node';
import {
  normalizeGroupRef,
  normalizeSystemRef,
} from '@opsdeck/plugin-vault-node';
import { hostVariables } from '../render/render';
import { vaultNames, vaultRefs } from '../render/secrets';

/** Per host (entity ref): credential name → password. Server-side only: never log or return. */
export type SecretsByHost = Map<string, Map<string, string>>;

/**
 * Takes the vault references of a version out of the vault for each host,
 * with use `config-secret`, for `config-set:<name>` with the set's owner and
 * the host's system and environment, on behalf of `actor` (the person
 * pushing, rolling back or adopting): the vault checks the person against
 * each credential's policy now, not when the name was saved. Each credential
 * is taken out once per system/environment. A refusal throws before anything
 * is uploaded, naming the credential, the host and the vault's reason.
 */
export async function takeSecrets(
  vault: VaultService | undefined,
  set: ConfigSet,
  version: Pick<ConfigVersion, 'variables'>,
  hosts: HostTarget[],
  actor: string,
): Promise<SecretsByHost> {
  const out: SecretsByHost = new Map();
  const cache = new Map<string, Promise<string>>();
  for (const host of hosts) {
    const names = vaultNames(hostVariables(version.variables, host));
    if (names.length === 0) continue;
    if (!vault) {
      throw new InputError(
        'This backend has no vault: a set with vault references cannot be pushed',
      );
    }
    const owner = normalizeGroupRef(set.owner);
    const system = host.system ? normalizeSystemRef(host.system) : undefined;
    const secrets = new Map<string, string>();
    for (const name of names) {
      const key = JSON.stringify([name, system, host.environment]);
      if (!cache.has(key)) {
        cache.set(
          key,
          vault
            .getSecret(name, {
              use: 'config-secret',
              for: {
                ref: `config-set:${set.name}`,
                ...(owner ? { owner } : {}),
                ...(system ? { system } : {}),
                ...(host.environment ? { environment: host.environment } : {}),
              },
              actor,
            })
            .then(secret => {
              if (secret.type !== 'password') {
                throw new InputError(
                  `Vault credential '${name}' is an SSH key; a config variable takes a password credential`,
                );
              }
              return secret.password;
            }),
        );
      }
      try {
        secrets.set(name, await cache.get(key)!);
      } catch (e) {
        const why = (e as Error).message;
        const message = `Not pushed: the vault secret '${name}' of ${host.name} cannot be taken out for config set ${set.name}: ${why}`;
        throw (e as Error).name === 'NotAllowedError'
          ? new NotAllowedError(message)
          : new InputError(message);
      }
    }
    out.set(host.entityRef, secrets);
  }
  return out;
}

/**
 * For adopting a host's live file: the host's vault secrets (taken out for
 * the adopter) and, per secret value, the variable it comes from, so that the
 * adopted version names the variable again and never holds the secret's text.
 */
export async function adoptedSecrets(
  vault: VaultService | undefined,
  set: ConfigSet,
  latest: Pick<ConfigVersion, 'variables'> | undefined,
  host: HostTarget,
  actor: string,
): Promise<{ secrets: Map<string, string>; byValue: Map<string, string> }> {
  const secrets =
    (latest &&
      (await takeSecrets(vault, set, latest, [host], actor)).get(
        host.entityRef,
      )) ||
    new Map<string, string>();
  const byValue = new Map<string, string>();
  if (latest && secrets.size > 0) {
    // a reference at any depth: written back as its path (`upstreams.[0].auth`)
    for (const ref of vaultRefs(hostVariables(latest.variables, host))) {
      const secret = secrets.get(ref.name);
      if (secret && !byValue.has(secret) && ref.path.startsWith('vars.')) {
        byValue.set(secret, ref.path.slice('vars.'.length));
      }
    }
  }
  return { secrets, byValue };
}
