import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { HostSelector, HostTarget } from '@opsdeck/plugin-cmdb-common';

/**
 * What the bastion needs to know about a host entity: cmdb-common's one SSH
 * target (owner and system as full lower-case refs, environment with the
 * label fallback, lower-case tags), made by its `hostFromEntity`.
 */
export type BastionHost = HostTarget;

/** `ops` → `group:default/ops`; full refs are normalised (lower case). */
export function normalizeRef(
  ref: string | undefined,
  defaultKind: string,
): string | undefined {
  if (!ref) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** Finds host entities by name, or all a selector matches. */
export interface HostDirectory {
  getHost(name: string): Promise<BastionHost | undefined>;
  /** The hosts a (non-empty) selector matches, sorted by entity ref. */
  resolveHosts(selector: HostSelector): Promise<BastionHost[]>;
}
