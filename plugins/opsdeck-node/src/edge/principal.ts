import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * Header a backend plugin sets on a request it makes with its own service
 * token for a person (a scaffolder action creating a bastion grant for the
 * ticket's requester). The auditor records that person as the actor and the
 * plugin as `via`; it is honoured only for `plugin:` service principals, and
 * it never changes what the request is allowed to do.
 */
export const ON_BEHALF_OF_HEADER = 'x-opsdeck-on-behalf-of';

/** The header that names the person a plugin acts for (see {@link ON_BEHALF_OF_HEADER}). */
export function onBehalfOfHeaders(
  userRef: string | undefined,
): Record<string, string> {
  return userRef ? { [ON_BEHALF_OF_HEADER]: userRef } : {};
}

/** Who made a request: the person (or service) and what acted for them. */
export interface PrincipalDescription {
  /** `user:default/alice`, a service subject (`plugin:scaffolder`, `external:ci`) or `anonymous`. */
  ref: string;
  /** The on-behalf-of chain, outermost first (a plugin that forwarded a user's token). */
  via: string[];
}

type AnyPrincipal = {
  type: string;
  userEntityRef?: string;
  subject?: string;
  actor?: { subject?: string };
};

/** {@link principalRef} and the on-behalf-of chain of the credentials. */
export function describePrincipal(
  credentials: BackstageCredentials,
): PrincipalDescription {
  const p = credentials.principal as AnyPrincipal;
  if (p.type === 'user' && p.userEntityRef) {
    return {
      ref: p.userEntityRef,
      via: p.actor?.subject ? [p.actor.subject] : [],
    };
  }
  if (p.type === 'service' && p.subject) {
    return {
      ref: /^(plugin|external):/.test(p.subject)
        ? p.subject
        : `service:${p.subject}`,
      via: [],
    };
  }
  return { ref: 'anonymous', via: [] };
}

/**
 * The one string form of a caller, as stored in `createdBy` columns and audit
 * events: the user entity ref for people (`user:default/alice`), the service
 * subject for plugins and Backstage's external tokens (`plugin:scaffolder`,
 * `external:...`), `service:<subject>` for other service tokens (a static
 * token with subject `ci` is `service:ci`), `anonymous` without credentials.
 */
export function principalRef(credentials: BackstageCredentials): string {
  return describePrincipal(credentials).ref;
}

/** True for a full entity ref of a user (`user:<namespace>/<name>`). */
export function isUserRef(value: unknown): value is string {
  return typeof value === 'string' && /^user:[^/:\s]+\/[^/:\s]+$/i.test(value);
}
