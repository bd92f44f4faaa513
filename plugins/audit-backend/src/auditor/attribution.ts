import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { describePrincipal, isUserRef } from '@opsdeck/plugin-opsdeck-node';

/** Who an event is attributed to: the person, and what acted for them. */
export interface Attribution {
  /** The person (user entity ref) whenever one is known; else the service. */
  actor: string;
  /** What acted for the person, outermost first (`plugin:scaffolder`, `schedule:<id>`). */
  via: string[];
  /** meta without the attribution keys the auditor consumed. */
  meta: Record<string, unknown>;
}

function viaList(value: unknown): string[] {
  if (typeof value === 'string' && value) return [value];
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string' && !!v);
  }
  return [];
}

/**
 * The actor of an event is always the person:
 *
 * - a user's request: that user; a token a plugin obtained on the user's
 *   behalf adds the plugin to `via`.
 * - a backend plugin (`plugin:*`) acting for a person: the person it names
 *   (`meta.actor`, or the on-behalf-of header of its request), with the plugin
 *   in `via` (bastion sessions over WebSocket, scaffolder steps, schedules).
 * - any other service (a static token): the service; what it claims about a
 *   person stays in meta and is not trusted.
 * - no credentials (a sign-in attempt): who the plugin says it was about.
 *
 * `meta.via` (e.g. `schedule:<id>`) extends the chain.
 */
export function attributeEvent(options: {
  credentials?: BackstageCredentials;
  meta: Record<string, unknown>;
  /** The request's on-behalf-of header, if any. */
  onBehalfOf?: string;
}): Attribution {
  const { credentials, onBehalfOf } = options;
  const { actor: claimed, via: claimedVia, ...rest } = options.meta;
  const extra = viaList(claimedVia);
  const principal = credentials?.principal as
    | { type: string; subject?: string }
    | undefined;

  if (principal?.type === 'user') {
    const who = describePrincipal(credentials!);
    // a user's own credentials name the actor; a different claim is kept
    return {
      actor: who.ref,
      via: [...who.via, ...extra],
      meta:
        claimed === undefined || claimed === who.ref
          ? rest
          : { ...rest, actor: claimed },
    };
  }
  if (principal?.type === 'service') {
    const service = describePrincipal(credentials!).ref;
    const person = [claimed, onBehalfOf].find(isUserRef);
    if (service.startsWith('plugin:') && person) {
      return { actor: person, via: [service, ...extra], meta: rest };
    }
    return {
      actor: service,
      via: extra,
      meta: claimed === undefined ? rest : { ...rest, actor: claimed },
    };
  }
  // no credentials: a sign-in attempt names the account it was about
  return {
    actor: typeof claimed === 'string' ? claimed : '',
    via: extra,
    meta: rest,
  };
}
