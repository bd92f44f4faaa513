import { InputError } from '@backstage/errors';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigSet, ConfigVersion } from '@opsdeck/plugin-config-common';
import {
  checkSyntax,
  compileTemplate,
  hostVariables,
  renderContext,
} from '../render/render';
import { maskSecrets, vaultNames } from '../render/secrets';
import type { SshTargets } from '../release/Releaser';
import type { SecretsByHost } from './configSecrets';
import type { FactsByHost } from './hostFacts';

/**
 * What fails a push before it reaches any host, checked for every host
 * before an approval ticket is claimed (so a claimed ticket is spent only
 * by a release that could reach a host): each host renders (with its facts
 * and vault secrets; no reference left untaken), the rendering passes the
 * kind's syntax check, and its SSH login is taken out of the vault for the
 * person pushing. Refused: InputError naming each host and why (secrets
 * masked), nothing written.
 */
export async function preflight(options: {
  set: ConfigSet;
  version: ConfigVersion;
  hosts: HostTarget[];
  facts: FactsByHost;
  secrets: SecretsByHost;
  sshTargets: SshTargets;
  actor: string;
}): Promise<void> {
  const { set, version, hosts, facts, secrets } = options;
  const render = compileTemplate(version.template);
  const targetOf = options.sshTargets(options.actor);
  const failures = await Promise.all(
    hosts.map(async host => {
      const mine = secrets.get(host.entityRef) ?? new Map<string, string>();
      try {
        const missing = vaultNames(
          hostVariables(version.variables, host),
        ).filter(name => !mine.has(name));
        if (missing.length > 0) {
          throw new Error(
            `vault secret ${missing.join(', ')} was not taken out for it`,
          );
        }
        checkSyntax(
          set.kind,
          render(
            renderContext(
              version.variables,
              host,
              facts.get(host.entityRef),
              mine,
            ),
          ),
          mine.values(),
        );
        await targetOf(host);
        return undefined;
      } catch (e) {
        return `${host.name}: ${maskSecrets(
          (e as Error).message,
          mine.values(),
        )}`;
      }
    }),
  );
  const refused = failures.filter((f): f is string => f !== undefined);
  if (refused.length > 0) {
    throw new InputError(
      `Not pushed (nothing was done, an approval ticket stays unused): ${refused.join(
        '; ',
      )}`,
    );
  }
}
