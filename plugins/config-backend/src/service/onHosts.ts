import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { canonicalJson } from '@opsdeck/plugin-tickets-node';

/**
 * The fields of a set that run or land on its hosts at push: which hosts,
 * which file, and the commands and checks run there (the kind picks the
 * default validation and reload). Name, owner and entity are not.
 */
export function onHosts(set: ConfigSetInput): string {
  return canonicalJson([
    set.kind,
    set.selector,
    set.targetPath,
    set.stageRoot || null,
    set.validateCommand || null,
    set.reloadCommand || null,
    set.healthCheck || null,
    // appended only when set: the digests of sets without one stay as they were
    ...(set.restartCommand ? [{ restart: set.restartCommand }] : []),
  ]);
}
