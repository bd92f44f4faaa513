import { selectorMatches } from '@opsdeck/plugin-cmdb-common';
import {
  toHostSelector,
  type BastionStore,
  type Grant,
  type GrantSelector,
} from '../database/BastionStore';
import { normalizeRef, type BastionHost } from '../session/hosts';

/**
 * True when every field the selector gives matches the host (an empty
 * selector matches nothing): cmdb-common's `selectorMatches`, the one meaning.
 */
export function grantSelectorMatches(
  selector: GrantSelector & { environment?: string },
  host: BastionHost,
): boolean {
  return selectorMatches(toHostSelector(selector), host);
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
        grantSelectorMatches(g.selector, host) &&
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

/**
 * The grants in force at `now` held by a user, directly or through one of the
 * user's groups (`ownershipRefs`), longest-lasting first.
 */
export function grantsHeldBy(
  grants: Grant[],
  ownershipRefs: string[],
  now: number,
): Grant[] {
  const refs = new Set(ownershipRefs.map(r => r.toLocaleLowerCase('en-US')));
  return grants
    .filter(
      g =>
        grantActive(g, now) && refs.has(normalizeRef(g.subject, 'user') ?? ''),
    )
    .sort(
      (a, b) =>
        new Date(b.expiresAt).getTime() - new Date(a.expiresAt).getTime(),
    );
}
