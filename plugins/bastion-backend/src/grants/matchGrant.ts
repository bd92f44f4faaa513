import type {
  BastionStore,
  Grant,
  HostSelector,
} from '../database/BastionStore';
import { normalizeRef, type BastionHost } from '../session/hosts';

/** True when every field the selector gives matches the host (an empty selector matches nothing). */
export function selectorMatches(
  selector: HostSelector,
  host: BastionHost,
): boolean {
  const { host: name, system, owner, tag } = selector;
  if (!name && !system && !owner && !tag) return false;
  if (
    name &&
    name.toLocaleLowerCase('en-US') !== host.name.toLocaleLowerCase('en-US')
  ) {
    return false;
  }
  if (system && normalizeRef(system, 'system') !== host.system) return false;
  if (owner && normalizeRef(owner, 'group') !== host.owner) return false;
  if (tag && !host.tags.includes(tag.toLocaleLowerCase('en-US'))) return false;
  return true;
}

/** True when the grant is in force at `now` (not revoked, not expired). */
export function grantActive(grant: Grant, now: number): boolean {
  return !grant.revokedAt && new Date(grant.expiresAt).getTime() > now;
}

/**
 * The grants that let a user (given by the user's ownership refs: the user and the groups) reach
 * a host, longest-lasting first. With `loginUser`, only grants for that login.
 */
export function matchingGrants(
  grants: Grant[],
  who: { ownershipRefs: string[] },
  host: BastionHost,
  now: number,
  loginUser?: string,
): Grant[] {
  const refs = new Set(
    who.ownershipRefs.map(r => r.toLocaleLowerCase('en-US')),
  );
  return grants
    .filter(
      g =>
        grantActive(g, now) &&
        refs.has(normalizeRef(g.subject, 'user') ?? '') &&
        selectorMatches(g.selector, host) &&
        (!loginUser || g.loginUser === loginUser),
    )
    .sort(
      (a, b) =>
        new Date(b.expiresAt).getTime() - new Date(a.expiresAt).getTime(),
    );
}

/** The grants in the store that let a user reach a host at `now` (see matchingGrants). */
export async function storedGrantsFor(
  store: Pick<BastionStore, 'listGrants'>,
  ownershipRefs: string[],
  host: BastionHost,
  now: number,
  loginUser?: string,
): Promise<Grant[]> {
  return matchingGrants(
    await store.listGrants({ activeAt: now }),
    { ownershipRefs },
    host,
    now,
    loginUser,
  );
}
