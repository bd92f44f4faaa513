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

/** A host name a terminal opens (`resource:default/<name>`). */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * True when opening a terminal on `host.name` reaches this very host: sessions
 * open `resource:default/<name>` only (see createHostDirectory), so a host of
 * another namespace that a selector matches is not one a terminal opens (and
 * its name would lead to the default namespace's host of that name).
 */
export function opensByName(host: Pick<BastionHost, 'name' | 'entityRef'>) {
  return (
    HOST_NAME.test(host.name) &&
    host.entityRef.toLocaleLowerCase('en-US') ===
      `resource:default/${host.name.toLocaleLowerCase('en-US')}`
  );
}

/** Finds host entities by name, or all a selector matches. */
export interface HostDirectory {
  getHost(name: string): Promise<BastionHost | undefined>;
  /** The hosts a (non-empty) selector matches, sorted by entity ref. */
  resolveHosts(selector: HostSelector): Promise<BastionHost[]>;
}
